import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { DatabaseSettings, databaseAliases } from '@cinemaabyss/db';
import { BusSettings } from '@cinemaabyss/event-bus';
import { TelemetrySettings } from '@cinemaabyss/telemetry';

export const EventsConfig = Type.Object({
  PORT: Port(8082),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
  LOG_LEVEL: LogLevel,
  ...TelemetrySettings,
  ...DatabaseSettings,
  // Two processes cannot share one PGlite folder: the events service has its own by default.
  PGLITE_DATA_DIR: Type.String({ default: '.data/pglite-events', description: 'PGlite data folder when no PostgreSQL URL is set' }),
  KAFKA_BROKERS: BusSettings.KAFKA_BROKERS,
  KAFKA_TOPIC_PARTITIONS: BusSettings.KAFKA_TOPIC_PARTITIONS,
  KAFKA_TOPIC_REPLICATION_FACTOR: BusSettings.KAFKA_TOPIC_REPLICATION_FACTOR,
  EVENTS_CONSUMER_GROUP: Type.String({ default: 'cinemaabyss-events', minLength: 1, description: 'Kafka consumer group' }),
  EVENTS_CONSUMER_MAX_BATCH: Type.Integer({
    minimum: 1,
    maximum: 5000,
    default: 500,
    description: 'Most events of one partition the consumer stores in one transaction (1: one transaction per event)',
  }),
  EVENTS_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description: 'Attempts at a record that fails for a reason other than an outage before it is dead-lettered to <topic>.dlq',
  }),
  EVENTS_RETRY_BASE_MS: Type.Integer({ minimum: 1, maximum: 60_000, default: 100, description: 'First backoff step between attempts (doubles, with jitter)' }),
  EVENTS_RETRY_MAX_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 30_000, description: 'Longest backoff between attempts' }),
  EVENTS_CONSUMER_STUCK_AFTER_MS: Type.Integer({
    minimum: 1,
    maximum: 3_600_000,
    default: 30_000,
    description: 'A partition retrying one record for longer is reported stuck (readiness 503)',
  }),
  EVENTS_SEND_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000, description: 'Longest wait for broker acknowledgement before 503' }),
});
export type EventsConfig = Static<typeof EventsConfig>;

export const loadEventsConfig = (env: NodeJS.ProcessEnv = process.env): EventsConfig => loadConfig('events', EventsConfig, env, { aliases: databaseAliases });

/** The consumer's retry and dead-letter policy from the configuration. */
export const deliveryPolicy = (config: EventsConfig) => ({
  maxBatch: config.EVENTS_CONSUMER_MAX_BATCH,
  maxAttempts: config.EVENTS_MAX_ATTEMPTS,
  retryBaseMs: config.EVENTS_RETRY_BASE_MS,
  retryMaxMs: config.EVENTS_RETRY_MAX_MS,
  stuckAfterMs: config.EVENTS_CONSUMER_STUCK_AFTER_MS,
});
