import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database } from '@cinemaabyss/db';
import { PUBLISH_FAILURE_KINDS } from '@cinemaabyss/event-bus';
import type { OutboxRelay } from './relay.ts';
import type { OutboxTable } from './schema.ts';
import { outboxStatus, type OutboxStatus } from './store.ts';

export interface OutboxMonitor {
  /**
   * Readiness check of a service that writes the outbox: 'degraded' while a row blocks its key,
   * else 'ok'. Degraded is still ready (200): one event that cannot be published must not take
   * every replica out of its Service (they share the outbox), when reads and writes still work.
   */
  check(): Promise<'ok' | 'degraded'>;
  /** The outbox_* metrics, computed per scrape by one query (see README, "Domain events"). */
  register(registry: Registry): void;
}

/** Watches the outbox table (shared by every replica) and, where one runs, this process's relay. */
export function monitorOutbox(database: Database, relay?: OutboxRelay, table?: OutboxTable): OutboxMonitor {
  // The gauges of one scrape and a readiness probe close to it share one query.
  let cached: { at: number; status: Promise<OutboxStatus> } | undefined;
  const status = (): Promise<OutboxStatus> => {
    if (!cached || Date.now() - cached.at > 1000) {
      cached = { at: Date.now(), status: outboxStatus(database.db, table) };
      cached.status.catch(() => (cached = undefined));
    }
    return cached.status;
  };
  const gauge = (name: string, help: string, field: keyof OutboxStatus) => (registry: Registry) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        // Unknown while the database is unreachable (its readiness check says so); /metrics still answers.
        this.set(
          await status().then(
            (s) => s[field],
            () => Number.NaN,
          ),
        );
      },
    });
  const gauges = [
    gauge('outbox_pending_rows', 'Outbox rows waiting to be published (blocked ones included, parked ones not)', 'pending'),
    gauge('outbox_oldest_pending_age_seconds', 'Age of the oldest pending outbox row (0 when none)', 'oldestPendingSeconds'),
    gauge('outbox_blocked_rows', 'Outbox rows the bus refused for good: each holds back the later rows of its key', 'blocked'),
    gauge('outbox_parked_rows', 'Outbox rows parked by an operator (never published automatically)', 'parked'),
  ];
  return {
    async check() {
      return (await status()).blocked > 0 ? 'degraded' : 'ok';
    },
    register(registry) {
      for (const add of gauges) add(registry);
      if (!relay) return;
      new Counter({
        name: 'outbox_publish_failures_total',
        help: 'Outbox publish failures of this process: transient (bus unavailable) or permanent (record refused)',
        labelNames: ['kind'],
        registers: [registry],
        collect() {
          this.reset();
          for (const kind of PUBLISH_FAILURE_KINDS) this.inc({ kind }, relay.failures[kind]);
        },
      });
    },
  };
}
