import { Type } from '@cinemaabyss/config';

/** Configuration keys of the services that run the outbox relay (besides OUTBOX_RELAY in BusSettings). */
export const OutboxSettings = {
  OUTBOX_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 5,
    description: 'Refusals of one outbox row by the bus before it is reported as blocking its key',
  }),
};
