import { hostname } from 'node:os';
import { connectPostgres, migrate, openPglite, type Database } from '@cinemaabyss/db';
import type { EventBus } from '@cinemaabyss/event-bus';
import { startPublishing, type Publishing } from '@cinemaabyss/outbox';
import type { Logger } from '@cinemaabyss/logging';
import type { GatewayConfig } from '../config.ts';
import type { StateStore } from './ports.ts';
import { gatewayMigrations } from './store/migrations.ts';
import { createStateStore, GATEWAY_OUTBOX_LOCK, gatewayOutbox } from './store/state-store.ts';

export interface ControlRuntime {
  /** The gateway's database (tables in schema `gateway`): the store, analysis and shadow write here. */
  database: Database;
  store: StateStore;
  replicaId: string;
  /** The relay of gateway.outbox, when a bus is configured. */
  publishing: Publishing | undefined;
  /** Stops the relay, then closes the database if this runtime opened it. */
  close(): Promise<void>;
}

export interface SharedResources {
  /** Embedded mode: the one PGlite database of every service, and its bus. */
  database: Database;
  bus: EventBus;
}

/**
 * Opens what runtime control needs: the database (migrated under packages/db's advisory lock), the
 * state store and the relay of the gateway's outbox. Standalone without GATEWAY_DB_CONNECTION_STRING:
 * an in-memory PGlite (changes live only as long as this process, and only in it).
 */
export async function openControlRuntime(config: GatewayConfig, logger: Logger, shared?: SharedResources): Promise<ControlRuntime> {
  const url = config.GATEWAY_DB_CONNECTION_STRING;
  const database = shared?.database ?? (url ? connectPostgres({ url, poolSize: 4 }) : await openPglite());
  if (!shared && !url)
    logger.warn('GATEWAY_DB_CONNECTION_STRING is unset: migration changes are kept in memory, not persisted and not shared with other replicas');
  try {
    await migrate(database, gatewayMigrations);
    const store = await createStateStore(database, logger);
    const relayed = Boolean(shared || config.KAFKA_BROKERS) && config.OUTBOX_RELAY;
    if (!shared && !config.KAFKA_BROKERS) logger.info('KAFKA_BROKERS is unset: migration-events stay in gateway.outbox');
    const publishing = relayed
      ? await startPublishing(config, 'gateway', database, logger.child({ component: 'outbox-relay' }), {
          table: gatewayOutbox,
          leaderLock: GATEWAY_OUTBOX_LOCK,
          ...(shared ? { bus: shared.bus } : {}),
        })
      : undefined;
    store.onNotify(() => publishing?.notify()); // a change committed: its event is ready to go
    return {
      database,
      store,
      replicaId: config.GATEWAY_REPLICA_ID ?? `${hostname()}-${process.pid}`,
      publishing,
      async close() {
        await publishing?.close();
        if (!shared) await database.close();
      },
    };
  } catch (error) {
    if (!shared) await database.close();
    throw error;
  }
}
