export * from './client.ts';
export * from './errors.ts';
export { listenTo, type ListenOptions } from './listen.ts';
export { pgliteExists } from './pglite-template.ts';
export { commandLineDatabase } from './cli-database.ts';
export { migrate, migrationsFolder, monolithMigrations, type MigrationSet } from './migrate.ts';
export { seed } from './seed.ts';
export * as schema from './schema.ts';
export { MOVIES_CHANGED_CHANNEL, movieGenres, movies, payments, subscriptions, users } from './schema.ts';

import type { Database } from './client.ts';
import { connectPostgres, openPglite } from './client.ts';
import { pgliteExists } from './pglite-template.ts';

export interface DatabaseConfig {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data folder; absent or `memory://` means in memory. */
  dataDir?: string | undefined;
  poolSize?: number | undefined;
}

/** PostgreSQL when a connection string is configured, else PGlite. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.url) return connectPostgres({ url: config.url, poolSize: config.poolSize ?? 10 });
  const dataDir = config.dataDir && config.dataDir !== 'memory://' ? config.dataDir : undefined;
  return openPglite(dataDir ? { dataDir } : {});
}
export { DatabaseSettings, databaseAliases } from './settings.ts';

import { migrate as applyMigrations, monolithMigrations, type MigrationSet } from './migrate.ts';
import { seed as insertSampleData } from './seed.ts';

export interface DatabaseSettingValues {
  DB_CONNECTION_STRING?: string | undefined;
  PGLITE_DATA_DIR: string;
  DB_POOL_SIZE: number;
  DB_AUTO_MIGRATE?: boolean | undefined;
}

export interface OpenOptions {
  /** The migration sets this service owns (default: the monolith's schema). */
  migrations?: MigrationSet[];
  /** Insert the sample data into an empty PGlite database (default: true for the monolith's schema). */
  sampleData?: boolean;
  /** Told what a first start is doing (creating, migrating, seeding), which takes a few seconds. */
  progress?: (message: string) => void;
}

/**
 * Opens the database a service's settings name. PGlite (a developer's machine) is migrated
 * automatically; PostgreSQL only when DB_AUTO_MIGRATE=true, since there migrations are a
 * deployment step (`cli.js migrate`).
 */
export async function openFromSettings(settings: DatabaseSettingValues, options: OpenOptions = {}): Promise<Database> {
  const say = options.progress ?? (() => {});
  const folder = settings.PGLITE_DATA_DIR;
  const fresh = !settings.DB_CONNECTION_STRING && !pgliteExists(folder);
  if (fresh) say(`Creating the PGlite database ${folder === 'memory://' ? 'in memory' : `in ${folder}`} (first start)…`);
  const database = await openDatabase({
    url: settings.DB_CONNECTION_STRING,
    dataDir: settings.PGLITE_DATA_DIR,
    poolSize: settings.DB_POOL_SIZE,
  });
  try {
    if (settings.DB_AUTO_MIGRATE ?? database.kind === 'pglite') {
      if (fresh) say('Applying the database migrations…');
      for (const set of options.migrations ?? [monolithMigrations]) await applyMigrations(database, set);
    }
    if (database.kind === 'pglite' && (options.sampleData ?? true) && (await insertSampleData(database.db))) {
      say('Inserted the sample data (3 users, 5 movies, 3 payments, 3 subscriptions).');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
export {
  applyMoviesToMonolith,
  lastMonolithMovieId,
  monolithMoviesRetired,
  nextMonolithMovieId,
  retireMonolithMovies,
  monolithMovieColumns,
  movieFingerprint,
  movieGenresArray,
  newerVersionWins,
  newestPerId,
  rangeFingerprints,
  rangeSums,
  type MovieColumns,
  type RangeSum,
  readMoviesAfterAsJson,
  type MovieBatchJson,
  readMoviesById,
  type VersionedMovie,
} from './movie-copy.ts';
