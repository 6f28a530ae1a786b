// Every replica's latest mismatches in gateway.shadow_mismatches: written in batches off the hot
// path (a bounded queue, oldest dropped), trimmed to a bound per route, read newest first.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '@cinemaabyss/db';
import type { Logger } from '@cinemaabyss/logging';
import type { Mismatch } from '../control/ports.ts';
import { shadowMismatches as table } from '../control/store/schema.ts';
import type { MismatchSink } from './mirror.ts';

export interface MismatchStoreOptions {
  database: Database;
  replica: string;
  logger: Logger;
  /** Rows kept per route (older ones are deleted after each write). */
  maxRowsPerRoute?: number;
  flushMs?: number;
}

/** Mismatches waiting to be written; beyond this the oldest are dropped (the database is slow or down). */
const MAX_QUEUE = 200;

/** What PostgreSQL refuses in text and jsonb (NUL, lone surrogates) replaced, so one odd answer cannot lose a batch. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const clean = (value: string) => value.replace(UNSTORABLE, '\uFFFD');
const storable = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? clean(v) : v)));
const text = (value: string, max: number) => clean(value).slice(0, max);

export class MismatchStore implements MismatchSink {
  readonly #o: Required<MismatchStoreOptions>;
  #queue: Mismatch[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: MismatchStoreOptions) {
    this.#o = { maxRowsPerRoute: 500, flushMs: 1000, ...options };
  }

  add(mismatch: Mismatch): void {
    this.#queue.push(mismatch);
    if (this.#queue.length > MAX_QUEUE) this.#queue.shift();
    this.#timer ??= setTimeout(() => void this.flush(), this.#o.flushMs).unref();
  }

  /** Writes what is queued (one batch), then trims the routes it wrote to. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = this.#flushing.then(() => (batch.length ? this.#write(batch) : undefined));
    return this.#flushing;
  }

  async #write(batch: Mismatch[]): Promise<void> {
    const { database, replica, logger, maxRowsPerRoute } = this.#o;
    try {
      await database.db.insert(table).values(
        batch.map((m) => ({
          at: new Date(m.at),
          replica: text(replica, 100),
          route: m.route,
          endpoint: text(m.endpoint, 300),
          request: storable(m.request),
          primaryBackend: m.primary.backend,
          primaryStatus: m.primary.status,
          shadowBackend: m.shadow.backend,
          shadowStatus: m.shadow.status,
          diff: storable(m.diff),
        })),
      );
      for (const route of new Set(batch.map((m) => m.route))) {
        const newest = database.db
          .select({ id: table.id })
          .from(table)
          .where(eq(table.route, route))
          .orderBy(desc(table.id))
          .offset(maxRowsPerRoute - 1)
          .limit(1);
        await database.db.delete(table).where(and(eq(table.route, route), lt(table.id, sql`(${newest})`)));
      }
    } catch (error) {
      logger.warn({ err: error, dropped: batch.length }, 'shadow mismatches could not be stored');
    }
  }

  /** Newest first, from every replica. */
  async latest(route: string, limit: number): Promise<Mismatch[]> {
    const rows = await this.#o.database.db.select().from(table).where(eq(table.route, route)).orderBy(desc(table.id)).limit(limit);
    return rows.map((row) => ({
      at: row.at.toISOString(),
      route: row.route,
      endpoint: row.endpoint,
      request: row.request as Mismatch['request'],
      primary: { backend: row.primaryBackend, status: row.primaryStatus },
      shadow: { backend: row.shadowBackend, status: row.shadowStatus },
      diff: row.diff as Mismatch['diff'],
    }));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
