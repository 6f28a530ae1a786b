import { asc, inArray, isNull, sql } from 'drizzle-orm';
import { outbox, type Database } from '@cinemaabyss/db';
import { toMessage, SCHEMA_VERSION, type EventEnvelope } from './envelope.ts';
import { ALL_TOPICS, type EventBus } from './types.ts';

export interface RelayOptions {
  database: Database;
  bus: EventBus;
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
  batchSize?: number;
  idleMs?: number;
  maxBackoffMs?: number;
}

export interface OutboxRelay {
  /** Publish soon: called after a transaction that enqueued events commits. */
  notify(): void;
  /** Resolves once nothing is pending (tests and shutdown use it). */
  drained(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

// Only one relay publishes at a time (replicas of the monolith and the movies service share the
// outbox in this phase); per-key order holds because rows go out in id order, one batch at a time.
const LEADER_LOCK = 727_274_002;

const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/** Publishes committed outbox rows to the bus, marks them sent, and backs off while the bus is down. */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { database, bus, log } = options;
  const batchSize = options.batchSize ?? 200;
  const idleMs = options.idleMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const { db } = database;
  const signal: { wake?: () => void } = {};
  let running = true;
  let topicsReady = false;
  let failures = 0;

  const envelopeOf = (row: typeof outbox.$inferSelect): EventEnvelope => ({
    id: row.eventId,
    type: row.type,
    schema_version: SCHEMA_VERSION,
    timestamp: row.createdAt.toISOString(),
    source: row.source,
    payload: row.payload as Record<string, unknown>,
  });

  async function publishBatch(): Promise<number> {
    const rows = await db.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(asc(outbox.id)).limit(batchSize);
    if (rows.length === 0) return 0;
    if (!topicsReady) {
      await bus.ensureTopics(ALL_TOPICS);
      topicsReady = true;
    }
    // Keys in parallel (the bus batches them into one request), each key's events one after the
    // other: after a failure, nothing later of that key goes out before it, so per-key order holds.
    const byKey = new Map<string, typeof rows>();
    for (const row of rows) {
      const chain = byKey.get(`${row.topic}/${row.key}`) ?? [];
      chain.push(row);
      byKey.set(`${row.topic}/${row.key}`, chain);
    }
    const sent: number[] = [];
    const failed: number[] = [];
    let firstError: unknown;
    await Promise.all(
      [...byKey.values()].map(async (chain) => {
        for (const [index, row] of chain.entries()) {
          try {
            await bus.send(toMessage(row.topic, row.key, envelopeOf(row)));
            sent.push(row.id);
          } catch (error) {
            firstError ??= error;
            failed.push(row.id, ...chain.slice(index + 1).map((r) => r.id));
            return;
          }
        }
      }),
    );
    if (sent.length > 0) await db.update(outbox).set({ publishedAt: new Date() }).where(inArray(outbox.id, sent));
    if (failed.length > 0) {
      const reason = firstError as Error;
      await db
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1`, lastError: String(reason?.message ?? reason).slice(0, 500) })
        .where(inArray(outbox.id, failed));
      throw reason;
    }
    return rows.length;
  }

  async function leadership(): Promise<(() => Promise<void>) | undefined> {
    if (database.kind === 'pglite') return async () => {};
    const client = await database.pool.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
    if (rows[0]?.ok) {
      return async () => {
        await client.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => {});
        client.release();
      };
    }
    client.release();
    return undefined;
  }

  const loop = (async () => {
    let release: (() => Promise<void>) | undefined;
    while (running) {
      try {
        release ??= await leadership();
        if (!release) {
          await sleep(idleMs * 8, signal); // another replica is publishing
          continue;
        }
        const published = await publishBatch();
        if (failures > 0) log.info({ published }, 'outbox relay recovered');
        failures = 0;
        if (published === 0) {
          await sleep(idleMs, signal);
        }
      } catch (error) {
        failures++;
        const delay = Math.min(100 * 2 ** failures, maxBackoffMs);
        log.warn({ err: error, retryInMs: delay, failures }, 'outbox relay could not publish; will retry');
        if (release && database.kind === 'postgres') {
          await release().catch(() => {});
          release = undefined; // the lock's connection may be the thing that broke
        }
        await sleep(delay, signal);
      }
    }
    await release?.();
  })();

  return {
    notify() {
      signal.wake?.();
    },
    async drained(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(isNull(outbox.publishedAt));
        if (!row || row.n === 0) return true;
        signal.wake?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
    async stop() {
      running = false;
      signal.wake?.();
      await loop;
    },
  };
}
