export * from './types.ts';
export { partitionFor } from './partition.ts';
export { openKafkaBus, type KafkaBusOptions } from './kafka.ts';
export { openEmbeddedBus, embeddedBusMigrations, type EmbeddedBusOptions } from './embedded.ts';
export { busGroupOffsets, busMessages, busPartitions } from './schema.ts';

import type { Database } from '@cinemaabyss/db';
import { openEmbeddedBus } from './embedded.ts';
import { openKafkaBus } from './kafka.ts';
import type { EventBus } from './types.ts';

export interface BusSettings {
  /** Comma-separated `host:port` list; unset means the embedded bus in `database`. */
  KAFKA_BROKERS?: string | undefined;
}

/**
 * Kafka when brokers are configured, else the bus embedded in the service's database. Opening
 * does not need a reachable broker (callers create topics when it is up: `ensureTopics`).
 */
export async function openEventBus(settings: BusSettings, clientId: string, database: Database): Promise<EventBus> {
  const brokers = (settings.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return brokers.length > 0 ? openKafkaBus({ brokers, clientId }) : openEmbeddedBus(database);
}
export { newEnvelope, parseEnvelope, toMessage, SCHEMA_VERSION, type EventEnvelope } from './envelope.ts';
export { startOutboxRelay, type OutboxRelay, type RelayOptions } from './outbox-relay.ts';
