import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { traceQueries, tracingEnabled } from '@cinemaabyss/telemetry';
import { createPglite } from './pglite-template.ts';
import * as schema from './schema.ts';

/** The query API both back-ends share: every service's queries are written against this type. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * What `build` makes for a handle, made once per handle: a prepared statement is then built in
 * Node and planned by the database once, not on every call.
 */
export function perHandle<T>(build: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) made.set(db, (value = build(db)));
    return value;
  };
}

interface DatabaseBase {
  readonly db: Db;
  /** Round trip to the server: what readiness checks call. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresDatabase extends DatabaseBase {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
}

export interface PgliteDatabase extends DatabaseBase {
  readonly kind: 'pglite';
  readonly client: PGlite;
}

export type Database = PostgresDatabase | PgliteDatabase;

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** How long a request waits for a pooled connection before failing (and answering 503). */
  connectionTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export function connectPostgres(options: PostgresOptions): PostgresDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    application_name: 'cinemaabyss',
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    pool,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

export interface PgliteOptions {
  /** A folder to persist into; omitted (or `memory://`) keeps everything in memory. */
  dataDir?: string;
}

export async function openPglite(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await createPglite(options.dataDir);
  // PostgreSQL's queries are traced by the pg instrumentation; PGlite has none.
  if (tracingEnabled()) traceQueries(client);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    kind: 'pglite',
    db,
    client,
    async ping() {
      if (closed) throw new Error('database is closed');
      await client.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
