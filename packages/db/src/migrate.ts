import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Database } from './client.ts';

/**
 * A folder of drizzle-kit SQL migrations and the table that records which have run. Each owner of
 * tables (the monolith's schema, the embedded event bus, the events service) has its own set, so
 * a service's database holds only the tables that service owns.
 */
export interface MigrationSet {
  folder: string;
  table: string;
}

export const monolithMigrations: MigrationSet = {
  folder: fileURLToPath(new URL('../migrations', import.meta.url)),
  table: '__drizzle_migrations',
};
export const migrationsFolder = monolithMigrations.folder;

// Any fixed number: replicas or jobs that start together take turns instead of racing.
const MIGRATION_LOCK = 727_274_001;

/** Applies the migrations of `set` that have not run yet. */
export async function migrate(database: Database, set: MigrationSet = monolithMigrations): Promise<void> {
  const config = { migrationsFolder: set.folder, migrationsTable: set.table };
  if (database.kind === 'pglite') {
    await migratePglite(drizzlePglite(database.client), config);
    return;
  }
  const client = await database.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(client), config);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
