// Which database the integration suites run on: DB_BACKEND=pglite (in memory) or
// DB_BACKEND=postgres (a real server, TEST_DATABASE_URL or scripts/postgres.sh's default).
// Each suite gets a fresh, migrated and seeded database; a missing server fails loudly.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectPostgres, migrate, monolithMigrations, openPglite, seed, type Database, type MigrationSet } from '@cinemaabyss/db';

export type Backend = 'pglite' | 'postgres';

export function backend(): Backend {
  const value = process.env['DB_BACKEND'];
  if (value !== 'pglite' && value !== 'postgres') {
    throw new Error(`DB_BACKEND must be 'pglite' or 'postgres' (got ${JSON.stringify(value)}); use the npm test scripts`);
  }
  return value;
}

export const postgresUrl = () => process.env['TEST_DATABASE_URL'] ?? 'postgres://cinemaabyss@127.0.0.1:55432/cinemaabyss';

export interface TestDatabase {
  database: Database;
  /** Its PostgreSQL URL, for a child process to connect to (absent on PGlite: in memory). */
  url?: string;
  /** Opens another handle on the same database (a second process would see this). */
  reopen(): Promise<Database>;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${postgresUrl()} (${(error as Error).message}). ` +
        'Start it with `npm run pg:start` or set TEST_DATABASE_URL; this suite never skips.',
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `migrations`: the sets to apply (default: the monolith's); `seed` needs the monolith's. */
export async function freshDatabase(options: { seed?: boolean; migrations?: MigrationSet[] } = {}): Promise<TestDatabase> {
  const withSeed = options.seed ?? true;
  const sets = options.migrations ?? [monolithMigrations];
  if (backend() === 'pglite') {
    const database = await openPglite();
    for (const set of sets) await migrate(database, set);
    if (withSeed) await seed(database.db);
    return { database, reopen: async () => database, drop: () => database.close() };
  }
  const name = `cinemaabyss_test_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  const handles: Database[] = [];
  const open = async () => {
    const database = connectPostgres({ url: url.toString(), poolSize: 5 });
    handles.push(database);
    return database;
  };
  const database = await open();
  for (const set of sets) await migrate(database, set);
  if (withSeed) await seed(database.db);
  return {
    database,
    url: url.toString(),
    reopen: open,
    drop: async () => {
      await Promise.all(handles.map((h) => h.close().catch(() => {})));
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
