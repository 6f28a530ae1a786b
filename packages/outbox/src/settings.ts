import { Type } from '@cinemaabyss/config';

/** Configuration keys of the services that write an outbox and run its relay. */
export const OutboxSettings = {
  OUTBOX_RELAY: Type.Boolean({ default: true, description: 'Run the outbox relay in this process' }),
  OUTBOX_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 5,
    description: 'Refusals of one outbox row by the bus before it is reported as blocking its key',
  }),
};
