import { NotReady } from '@cinemaabyss/http';
import { describeError, type DeliveryObserver, type PartitionStatus } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the consumer's subscription says about its partitions, turned into logs, metrics and readiness. */
export interface ConsumerMonitor {
  /** Given to the bus: a warn line per retry, an error line per dead letter, and their counters. */
  observer: DeliveryObserver;
  /** The consumer reports where its partitions' status comes from (undefined once it stops). */
  watch(source: (() => PartitionStatus[]) | undefined): void;
  partitions(): PartitionStatus[];
  /**
   * The consumer's readiness: 'degraded' while a partition retries a record, and a throw naming
   * the partitions while any is stuck on one (longer than stuckAfterMs): a stuck consumer is not ready.
   */
  readiness(): 'ok' | 'degraded';
}

export function createMonitor(logger: Logger, registry: Registry, pendingDeadLetters: () => Promise<number>): ConsumerMonitor {
  let source: (() => PartitionStatus[]) | undefined;
  const partitions = () => source?.() ?? [];

  const retries = new Counter({
    name: 'events_consumer_retries_total',
    help: 'Failed attempts to process a record, by topic and kind (transient: a dependency was down; permanent: the record)',
    labelNames: ['topic', 'kind'],
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: 'events_dead_letters_total',
    help: 'Records dead-lettered to <topic>.dlq by this process, by original topic',
    labelNames: ['topic'],
    registers: [registry],
  });
  // Gauges read at scrape time from the subscription's own state.
  new Gauge({
    name: 'events_consumer_lag',
    help: 'Records not yet processed, by topic and partition (end offset minus position)',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of partitions()) if (p.lag !== undefined) this.set({ topic: p.topic, partition: p.partition }, p.lag);
    },
  });
  new Gauge({
    name: 'events_consumer_stuck',
    help: '1 while a partition has been retrying one record for longer than EVENTS_CONSUMER_STUCK_AFTER_MS',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of partitions()) this.set({ topic: p.topic, partition: p.partition }, p.stuck ? 1 : 0);
    },
  });

  new Gauge({
    name: 'events_dead_letters_pending',
    help: 'Dead letters stored and not replayed yet (all time, from the dead_letters table)',
    registers: [registry],
    async collect() {
      // Unknown while the database is unreachable (readiness says so); /metrics still answers.
      this.set(await pendingDeadLetters().catch(() => Number.NaN));
    },
  });

  return {
    observer: {
      retrying(e) {
        retries.inc({ topic: e.topic ?? '', kind: e.transient ? 'transient' : 'permanent' });
        logger.warn(
          {
            topic: e.topic,
            partition: e.partition,
            offset: e.offset,
            attempt: e.attempt,
            transient: e.transient,
            retryInMs: Math.round(e.delayMs),
            error: describeError(e.error),
          },
          e.transient ? 'cannot process yet (dependency unavailable): retrying' : 'record failed: retrying',
        );
      },
      deadLettered(e) {
        deadLettered.inc({ topic: e.topic });
        logger.error(
          { topic: e.topic, partition: e.partition, offset: e.offset, attempts: e.attempts, error: describeError(e.error) },
          `record dead-lettered to ${e.topic}.dlq`,
        );
      },
    },
    watch(next) {
      source = next;
    },
    partitions,
    readiness() {
      const status = partitions();
      const stuck = status.filter((p) => p.stuck);
      if (stuck.length > 0) {
        const where = stuck.map((p) => `${p.topic}/${p.partition} at offset ${p.retrying?.offset} (${p.retrying?.attempts} attempts: ${p.retrying?.error})`);
        throw new NotReady('stuck', `consumer stuck on ${where.join('; ')}`);
      }
      return status.some((p) => p.retrying) ? 'degraded' : 'ok';
    },
  };
}
