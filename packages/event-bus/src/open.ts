import type { Database } from '@cinemaabyss/db';
import { openEmbeddedBus } from './embedded.ts';
import { openKafkaBus } from './kafka.ts';
import type { EventBus } from './types.ts';

export interface BusSettingValues {
  /** Comma-separated `host:port` list; unset means the embedded bus in `database`. */
  KAFKA_BROKERS?: string | undefined;
  KAFKA_TOPIC_PARTITIONS?: number | undefined;
  KAFKA_TOPIC_REPLICATION_FACTOR?: number | undefined;
}

/**
 * Kafka when brokers are configured, else the bus embedded in the service's database. Opening
 * does not need a reachable broker (callers create topics when it is up: `ensureTopics`).
 */
export async function openEventBus(
  settings: BusSettingValues,
  clientId: string,
  database: Database,
  options: { sendTimeoutMs?: number } = {},
): Promise<EventBus> {
  const brokers = (settings.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const partitions = settings.KAFKA_TOPIC_PARTITIONS ?? 3;
  return brokers.length > 0
    ? openKafkaBus({ brokers, clientId, partitions, replicationFactor: settings.KAFKA_TOPIC_REPLICATION_FACTOR ?? 1, ...options })
    : openEmbeddedBus(database, { partitions, ...options });
}
