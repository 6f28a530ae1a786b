import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { ALL_TOPICS } from '@cinemaabyss/api';
import type { Database } from '@cinemaabyss/db';
import { backoffMs, publishFailureKind, SCHEMA_VERSION, toMessage, type EventBus, type EventEnvelope, type PublishFailureKind } from '@cinemaabyss/event-bus';
import { contextFrom, inSpan } from '@cinemaabyss/telemetry';
import { outbox as monolithOutbox, type OutboxRow, type OutboxTable } from './schema.ts';
import { outboxStatesOf } from './store.ts';

type LogFn = (o: object, m: string) => void;

export interface RelayOptions {
  database: Database;
  bus: EventBus;
  log: { info: LogFn; warn: LogFn; error: LogFn };
  batchSize?: number;
  idleMs?: number;
  /** Ceiling of the backoff, both while the bus is down and between retries of a refused row. */
  maxBackoffMs?: number;
  /** Refusals of one row, each sent alone, before it is reported as blocking its key (OUTBOX_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** The outbox to publish (default: the monolith's); another owner's needs its own `leaderLock`. */
  table?: OutboxTable;
  /** Advisory lock electing the one publishing replica of this outbox. */
  leaderLock?: number;
}

export interface OutboxRelay {
  /** Publish soon: called after a transaction that enqueued events commits. */
  notify(): void;
  /** Resolves once nothing is pending (tests and shutdown use it). */
  drained(timeoutMs?: number): Promise<boolean>;
  /** Publish failures since the relay started, by kind (the metrics read it). */
  readonly failures: Readonly<Record<PublishFailureKind, number>>;
  stop(): Promise<void>;
}

// Only one relay publishes at a time (replicas of the monolith and the movies service share the
// outbox in this phase); per-key order holds because rows go out in id order, one batch at a time.
export const MONOLITH_OUTBOX_LOCK = 727_274_002;

const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/** A key whose head row the bus refused: nothing of that key goes out before `retryAt`. */
interface Hold {
  topic: string;
  key: string;
  rowId: number;
  /** Refusals of that row when it was sent alone (a refusal in company may be a neighbour's). */
  refusals: number;
  retryAt: number;
}

interface Failure {
  row: OutboxRow;
  error: unknown;
  kind: PublishFailureKind;
  alone: boolean;
}

// Keys and topics are database text, which never holds NUL: a safe separator.
const keyOf = (row: { topic: string; key: string }) => `${row.topic}\u0000${row.key}`;
const errorText = (error: unknown) => String((error as Error)?.message ?? error).slice(0, 500);

const envelopeOf = (row: OutboxRow): EventEnvelope => ({
  id: row.eventId,
  type: row.type,
  schema_version: SCHEMA_VERSION,
  timestamp: row.createdAt.toISOString(),
  source: row.source,
  payload: row.payload as Record<string, unknown>,
});

/**
 * Publishes committed outbox rows to the bus in id order, keeping each key's order. While the bus
 * is down it backs off (with jitter) and retries without limit. A row the bus refuses for good
 * holds back only its own key: after `maxAttempts` refusals it is marked blocked (error log,
 * metric, readiness) until it goes out or an operator parks it; other keys keep flowing.
 */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { database, bus, log } = options;
  const batchSize = options.batchSize ?? 200;
  const idleMs = options.idleMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const outbox = options.table ?? monolithOutbox;
  const leaderLock = options.leaderLock ?? MONOLITH_OUTBOX_LOCK;
  const outboxStates = outboxStatesOf(outbox);
  const { db } = database;
  const signal: { wake?: () => void } = {};
  const failures: Record<PublishFailureKind, number> = { transient: 0, permanent: 0 };
  const holds = new Map<string, Hold>();
  /** Rows this process has reported as blocking (one error line each). */
  const announced = new Set<number>();
  let running = true;
  let topicsReady = false;
  let outage = 0;

  function pendingRows(): Promise<OutboxRow[]> {
    const now = Date.now();
    const waiting = [...holds.values()].filter((h) => h.retryAt > now);
    const notHeld: SQL | undefined = waiting.length
      ? sql`(${outbox.topic}, ${outbox.key}) not in (${sql.join(
          waiting.map((h) => sql`(${h.topic}, ${h.key})`),
          sql`, `,
        )})`
      : undefined;
    return db.select().from(outbox).where(and(outboxStates.pending, notHeld)).orderBy(asc(outbox.id)).limit(batchSize);
  }

  /** Drops holds whose row is no longer the head of its key (published, or parked by an operator). */
  function forgetStaleHolds(rows: OutboxRow[], heads: Map<string, OutboxRow[]>): void {
    const now = Date.now();
    for (const [k, hold] of holds) {
      const head = heads.get(k)?.[0];
      if (head ? head.id !== hold.rowId : rows.length < batchSize && hold.retryAt <= now) {
        holds.delete(k);
        announced.delete(hold.rowId); // refused again after an unpark, it is a new incident
      }
    }
  }

  /** One row to the bus, continuing the trace of the request that wrote it (when it was traced). */
  function publish(row: OutboxRow): Promise<unknown> {
    const attributes = { 'messaging.destination.name': row.topic, 'messaging.message.id': row.eventId, 'outbox.id': row.id };
    return inSpan(`outbox publish ${row.topic}`, { attributes, parent: contextFrom(row.traceContext) }, () =>
      bus.send(toMessage(row.topic, row.key, envelopeOf(row))),
    );
  }

  /** Sends one key's rows one after the other; stops at the first failure so nothing overtakes it. */
  async function publishChain(chain: OutboxRow[], alone: boolean, sent: OutboxRow[], failed: Failure[]): Promise<void> {
    for (const row of chain) {
      try {
        await publish(row);
        sent.push(row);
      } catch (error) {
        failed.push({ row, error, kind: publishFailureKind(error), alone });
        return;
      }
    }
  }

  async function recordRefusal({ row, error, alone }: Failure): Promise<void> {
    const k = keyOf(row);
    const previous = holds.get(k);
    const hold: Hold = previous?.rowId === row.id ? previous : { topic: row.topic, key: row.key, rowId: row.id, refusals: 0, retryAt: 0 };
    if (alone) hold.refusals++;
    // Refused in company: retry at once, alone, to learn whose fault it was.
    hold.retryAt = alone ? Date.now() + backoffMs(hold.refusals, maxBackoffMs) : 0;
    holds.set(k, hold);
    const blocks = hold.refusals >= maxAttempts;
    const [stored] = await db
      .update(outbox)
      .set({
        attempts: sql`${outbox.attempts} + 1`,
        lastError: errorText(error),
        ...(blocks ? { blockedAt: sql`coalesce(${outbox.blockedAt}, now())` } : {}),
      })
      .where(eq(outbox.id, row.id))
      .returning({ attempts: outbox.attempts });
    const fields = { outbox_id: row.id, event_id: row.eventId, topic: row.topic, key: row.key, attempts: stored?.attempts, err: error };
    if (blocks && !announced.has(row.id)) {
      announced.add(row.id);
      log.error(fields, 'outbox row refused by the bus for good: it blocks its key until it is published or parked (`outbox park`)');
    } else if (!blocks) {
      log.warn({ ...fields, refusals: hold.refusals, alone }, 'outbox row refused by the bus; will retry');
    }
  }

  async function publishRound(): Promise<number> {
    const rows = await pendingRows();
    const chains = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const chain = chains.get(keyOf(row));
      if (chain) chain.push(row);
      else chains.set(keyOf(row), [row]);
    }
    forgetStaleHolds(rows, chains);
    if (rows.length === 0) return 0;
    if (!topicsReady) {
      await bus.ensureTopics(ALL_TOPICS);
      topicsReady = true;
    }
    const sent: OutboxRow[] = [];
    const failed: Failure[] = [];
    // Keys whose head was refused before go first, one at a time and alone: Kafka fails a whole
    // produce request when it refuses one record in it, so only a refusal alone is the row's own.
    const suspects = [...chains.entries()].filter(([k, chain]) => holds.get(k)?.rowId === chain[0]!.id);
    for (const [k, chain] of suspects) {
      chains.delete(k);
      if (!failed.some((f) => f.kind === 'transient')) await publishChain(chain, true, sent, failed);
    }
    // The other keys in parallel (the bus batches them into one request), each key's rows in order.
    if (!failed.some((f) => f.kind === 'transient')) {
      await Promise.all([...chains.values()].map((chain) => publishChain(chain, chains.size === 1, sent, failed)));
    }

    if (sent.length > 0) {
      await db
        .update(outbox)
        .set({ publishedAt: new Date() })
        .where(
          inArray(
            outbox.id,
            sent.map((r) => r.id),
          ),
        );
      for (const row of sent) {
        if (holds.get(keyOf(row))?.rowId === row.id) holds.delete(keyOf(row));
        if (announced.delete(row.id)) log.info({ outbox_id: row.id, event_id: row.eventId }, 'blocked outbox row published');
      }
    }
    let outageError: unknown;
    for (const failure of failed) {
      failures[failure.kind]++;
      if (failure.kind === 'permanent') {
        await recordRefusal(failure);
        continue;
      }
      // The bus is down: not the row's fault (it never becomes blocked), but its last error is shown.
      outageError ??= failure.error;
      await db
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1`, lastError: errorText(failure.error) })
        .where(eq(outbox.id, failure.row.id));
    }
    if (outageError) throw outageError;
    return sent.length;
  }

  async function leadership(): Promise<(() => Promise<void>) | undefined> {
    if (database.kind === 'pglite') return async () => {};
    const client = await database.pool.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [leaderLock]);
    if (rows[0]?.ok) {
      return async () => {
        await client.query('SELECT pg_advisory_unlock($1)', [leaderLock]).catch(() => {});
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
        const published = await publishRound();
        if (outage > 0) log.info({ published }, 'outbox relay recovered');
        outage = 0;
        if (published === 0) await sleep(idleMs, signal);
      } catch (error) {
        outage++;
        const delay = backoffMs(outage, maxBackoffMs);
        log.warn({ err: error, retryInMs: delay, failures: outage }, 'outbox relay could not publish; will retry');
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
    failures,
    notify() {
      signal.wake?.();
    },
    async drained(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const [row] = await db.select({ n: count() }).from(outbox).where(outboxStates.pending);
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
