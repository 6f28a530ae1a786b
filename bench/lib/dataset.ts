import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPostgres, migrate, movieGenres, movies, openPglite, seed, type Database } from '@cinemaabyss/db';
import { onCleanup } from './cleanup.ts';

export const DEFAULT_POSTGRES_URL = 'postgres://cinemaabyss@127.0.0.1:55432/cinemaabyss';
const BENCH_DB = 'cinemaabyss_bench';
const BATCH = 1000;

const GENRES = ['Action', 'Adventure', 'Animation', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Horror'];
const WORDS = `a an the of and in on with who must find lost city night last first young old man woman
  family secret war love journey dark light stranger friend enemy river mountain house town dream`.split(/\s+/);

/** Deterministic PRNG (mulberry32): every run benchmarks exactly the same rows. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills a freshly migrated database up to `total` movies: first the 5 sample movies (so a PGlite
 * service does not seed 5 more at start and the ids are exactly 1..total), then generated ones
 * with 1–3 genres and descriptions about as long as the samples' (~120–200 characters).
 */
async function load(database: Database, total: number): Promise<void> {
  await seed(database.db);
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(' ');
  await database.db.transaction(async (tx) => {
    for (let done = 5; done < total; done += BATCH) {
      const count = Math.min(BATCH, total - done);
      const rows = Array.from({ length: count }, (_, i) => ({
        title: `Movie ${done + i + 1}: ${sentence(3)}`,
        description: `${sentence(28)}.`,
        rating: Math.round(next() * 100) / 10,
      }));
      const ids = await tx.insert(movies).values(rows).returning({ id: movies.id });
      const genres = ids.flatMap(({ id }) => {
        const names = new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(GENRES)));
        return [...names].map((genre) => ({ movieId: id, genre }));
      });
      await tx.insert(movieGenres).values(genres);
    }
  });
}

async function rawQuery(database: Database, text: string): Promise<Record<string, unknown>[]> {
  if (database.kind === 'postgres') return (await database.pool.query(text)).rows;
  return (await database.client.query<Record<string, unknown>>(text)).rows;
}

/** Loads, vacuums and analyzes, and checks the result is what the benchmark assumes. */
async function fill(database: Database, total: number): Promise<void> {
  await migrate(database);
  await load(database, total);
  // VACUUM too: it sets the visibility map that autovacuum would have set on a long-lived database,
  // so the genres subquery's index-only scan does not fetch every heap row (plain ANALYZE does not).
  await rawQuery(database, 'VACUUM ANALYZE');
  const [row] = await rawQuery(database, 'SELECT count(*)::int AS n, max(id) AS max FROM movies');
  if (row?.['n'] !== total || row?.['max'] !== total) {
    throw new Error(`expected movies 1..${total}, found ${JSON.stringify(row)}`);
  }
}

export interface Prepared {
  /** Environment for the movies service pointing at the prepared database. */
  env: Record<string, string>;
  /** What the results record about the database (server version etc.). */
  info: string;
}

/** A fresh PGlite folder with `total` movies, closed again so the service process can open it. */
export async function preparePglite(total: number): Promise<Prepared> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cinemaabyss-bench-'));
  onCleanup('remove PGlite folder', () => rm(dataDir, { recursive: true, force: true }));
  const database = await openPglite({ dataDir });
  try {
    await fill(database, total);
    const [row] = await rawQuery(database, 'SHOW server_version');
    return { env: { PGLITE_DATA_DIR: dataDir }, info: `PGlite (PostgreSQL ${String(row?.['server_version'])})` };
  } finally {
    await database.close();
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops and creates `name` on the server of `serverUrl`; it is dropped again on clean-up. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = connectPostgres({ url: serverUrl, poolSize: 1, connectionTimeoutMs: 5000 });
  try {
    // FORCE: a leftover service from an aborted run must not keep the old database alive.
    await admin.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.pool.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  onCleanup(`drop database ${name}`, async () => {
    const again = connectPostgres({ url: serverUrl, poolSize: 1, connectionTimeoutMs: 5000 });
    await again.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => again.close());
  });
  return withDatabase(serverUrl, name);
}

/** Fails with a clear message when the server is unreachable; returns its version. */
export async function checkPostgres(serverUrl: string): Promise<string> {
  const admin = connectPostgres({ url: serverUrl, poolSize: 1, connectionTimeoutMs: 5000 });
  try {
    const { rows } = await admin.pool.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(
      `PostgreSQL is unreachable at ${serverUrl} (${reason}).\nStart it with \`npm run pg:start\`, set BENCH_DATABASE_URL, or run with --backends pglite.`,
    );
  } finally {
    await admin.close();
  }
}

/** Recreates `cinemaabyss_bench` (or `name`) on the server of `serverUrl`; dropped again on cleanup. */
export async function preparePostgres(serverUrl: string, total: number, name: string = BENCH_DB): Promise<Prepared> {
  const version = await checkPostgres(serverUrl);
  const url = await freshDatabase(serverUrl, name);
  const database = connectPostgres({ url, poolSize: 2 });
  try {
    await fill(database, total);
  } finally {
    await database.close();
  }
  return { env: { DB_CONNECTION_STRING: url }, info: `PostgreSQL ${version}` };
}

/**
 * Server processes of the connections to the bench database other than this query's own, i.e.
 * the service's pool; empty when the server is not on this machine (its PIDs would mean nothing).
 */
export async function backendPids(url: string): Promise<number[]> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return [];
  const database = connectPostgres({ url, poolSize: 1, connectionTimeoutMs: 5000 });
  try {
    const sql = 'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
    return (await database.pool.query<{ pid: number }>(sql)).rows.map((row) => row.pid);
  } finally {
    await database.close();
  }
}
