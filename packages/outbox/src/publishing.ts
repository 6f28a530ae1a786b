import type { Database } from '@cinemaabyss/db';
import { openEventBus, type BusSettingValues, type EventBus } from '@cinemaabyss/event-bus';
import { monitorOutbox, type OutboxMonitor } from './monitor.ts';
import { startOutboxRelay, type OutboxRelay, type RelayOptions } from './relay.ts';
import type { OutboxTable } from './schema.ts';

export interface Publishing {
  bus: EventBus;
  relay: OutboxRelay | undefined;
  /** The outbox's readiness check and metrics, for the service's app. */
  outbox: OutboxMonitor;
  /** Wakes the relay after a transaction that enqueued events has committed. */
  notify: () => void;
  close(): Promise<void>;
}

export interface PublishingOptions {
  /** Another owner's outbox (default: the monolith's), with its own leader lock. */
  table?: OutboxTable;
  leaderLock?: number;
  /** A bus the caller owns (embedded mode shares one): used, never closed here. */
  bus?: EventBus;
}

/** The publishing side of a service that writes domain events: its bus and (unless off) the outbox relay. */
export async function startPublishing(
  settings: BusSettingValues & { OUTBOX_RELAY: boolean; OUTBOX_MAX_ATTEMPTS?: number | undefined },
  clientId: string,
  database: Database,
  log: RelayOptions['log'],
  options: PublishingOptions = {},
): Promise<Publishing> {
  const bus = options.bus ?? (await openEventBus(settings, clientId, database));
  const { table, leaderLock } = options;
  const relay = settings.OUTBOX_RELAY
    ? startOutboxRelay({
        database,
        bus,
        log,
        ...(settings.OUTBOX_MAX_ATTEMPTS ? { maxAttempts: settings.OUTBOX_MAX_ATTEMPTS } : {}),
        ...(table ? { table } : {}),
        ...(leaderLock ? { leaderLock } : {}),
      })
    : undefined;
  return {
    bus,
    relay,
    outbox: monitorOutbox(database, relay, table),
    notify: () => relay?.notify(),
    async close() {
      await relay?.stop();
      if (!options.bus) await bus.close();
    },
  };
}
