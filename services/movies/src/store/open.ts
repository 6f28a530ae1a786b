import { migrate, openDatabase, type Database } from '@cinemaabyss/db';
import type { MoviesConfig } from '../config.ts';
import { moviesStoreMigrations } from './migrations.ts';

type StoreSettings = Pick<
  MoviesConfig,
  'MOVIES_DB_CONNECTION_STRING' | 'MOVIES_PGLITE_DATA_DIR' | 'DB_CONNECTION_STRING' | 'PGLITE_DATA_DIR' | 'DB_POOL_SIZE' | 'DB_AUTO_MIGRATE'
>;

/**
 * The movies service's own database: MOVIES_DB_CONNECTION_STRING, or on a PGlite setup a second
 * PGlite folder (in memory when the main one is). A service on PostgreSQL without its own URL has
 * none: it serves from the monolith's tables as before and the procedure says what is missing.
 * Migrated like the main database: always on PGlite, on PostgreSQL when DB_AUTO_MIGRATE=true.
 */
export async function openOwnStore(settings: StoreSettings): Promise<Database | undefined> {
  const url = settings.MOVIES_DB_CONNECTION_STRING;
  if (!url && settings.DB_CONNECTION_STRING) return undefined;
  // Next to the main PGlite folder unless set: two runs with different folders never share one.
  const dataDir =
    settings.PGLITE_DATA_DIR === 'memory://' ? 'memory://' : (settings.MOVIES_PGLITE_DATA_DIR ?? `${settings.PGLITE_DATA_DIR.replace(/\/+$/, '')}-movies`);
  const database = await openDatabase({ url, dataDir, poolSize: settings.DB_POOL_SIZE });
  try {
    if (settings.DB_AUTO_MIGRATE ?? database.kind === 'pglite') await migrate(database, moviesStoreMigrations);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
