import { Type } from '@cinemaabyss/config';

/** Configuration keys of every service that publishes or consumes events. */
export const BusSettings = {
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      pattern: '^\\s*[^,\\s]+:\\d+\\s*(,\\s*[^,\\s]+:\\d+\\s*)*$',
      description: 'Comma-separated host:port list of Kafka brokers; unset means the embedded bus in the database',
    }),
  ),
  KAFKA_TOPIC_PARTITIONS: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Partitions of topics this service creates' }),
  KAFKA_TOPIC_REPLICATION_FACTOR: Type.Integer({
    minimum: 1,
    maximum: 7,
    default: 1,
    description: 'Replication factor of topics this service creates (3 on a production cluster)',
  }),
};
