import { Type } from '@cinemaabyss/config';

/** Configuration keys of every service that publishes or consumes events. */
export const BusSettings = {
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      pattern: '^\\s*[^,\\s]+:\\d+\\s*(,\\s*[^,\\s]+:\\d+\\s*)*$',
      description: 'Comma-separated host:port list of Kafka brokers; unset means the embedded bus in the database',
    }),
  ),
  OUTBOX_RELAY: Type.Boolean({ default: true, description: 'Run the outbox relay in this process' }),
};
