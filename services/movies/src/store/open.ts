import { migrate, openDatabase, pgliteExists, type Database } from '@cinemaabyss/db';
import type { MoviesConfig } from '../config.ts';
import { moviesStoreMigrations } from './migrations.ts';

type StoreSettings = Pick<
  MoviesConfig,
  'MOVIES_DB_CONNECTION_STRING' | 'MOVIES_PGLITE_DATA_DIR' | 'DB_CONNECTION_STRING' | 'PGLITE_DATA_DIR' | 'DB_POOL_SIZE' | 'DB_AUTO_MIGRATE'
>;

/** What `attach` hands back: undoes it (stops a relay, a watch) before the database closes. */
export type Detach = () => Promise<void>;

/**
 * The movies service's own database, which may not exist yet: a PGlite one is created only when
 * the data migration provisions it (phase 1), since creating a PGlite database (initdb in WASM)
 * takes seconds that a first `npm start` should not pay for a database nothing uses before then.
 */
export interface OwnStore {
  /** The database's kind, known before it exists. */
  readonly kind: Database['kind'];
  /** The database once it exists (opened at start, or provisioned since). */
  readonly database: Database | undefined;
  /** Creates and migrates the database unless it exists (concurrent calls share one creation). */
  provision(): Promise<Database>;
  /** Runs `use` on the database as soon as it exists; the returned function undoes it (and runs at `close` if not called before). */
  attach(use: (database: Database) => Detach | Promise<Detach>): Detach;
  close(): Promise<void>;
}

/**
 * The movies service's own store: MOVIES_DB_CONNECTION_STRING, or on a PGlite setup a second
 * PGlite folder (in memory when the main one is). A service on PostgreSQL without its own URL has
 * none: it serves from the monolith's tables as before and the procedure says what is missing.
 * Migrated like the main database: always on PGlite, on PostgreSQL when DB_AUTO_MIGRATE=true.
 * PostgreSQL is opened (and migrated) at start, as the main database is: the database exists
 * already, every replica reads the phase from it, and a pool costs nothing until used. A PGlite
 * folder is opened at start only when it holds a database; else `provision` creates it.
 */
export async function openOwnStore(settings: StoreSettings): Promise<OwnStore | undefined> {
  const url = settings.MOVIES_DB_CONNECTION_STRING;
  if (!url && settings.DB_CONNECTION_STRING) return undefined;
  // Next to the main PGlite folder unless set: two runs with different folders never share one.
  const dataDir =
    settings.PGLITE_DATA_DIR === 'memory://' ? 'memory://' : (settings.MOVIES_PGLITE_DATA_DIR ?? `${settings.PGLITE_DATA_DIR.replace(/\/+$/, '')}-movies`);
  const open = async () => {
    const database = await openDatabase({ url, dataDir, poolSize: settings.DB_POOL_SIZE });
    try {
      if (settings.DB_AUTO_MIGRATE ?? database.kind === 'pglite') await migrate(database, moviesStoreMigrations);
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  };
  const store = lazyStore(url ? 'postgres' : 'pglite', open);
  if (url || pgliteExists(dataDir)) await store.provision();
  return store;
}

/** An own store over a database that exists already (tests, benchmarks). */
export async function existingOwnStore(database: Database): Promise<OwnStore> {
  const store = lazyStore(database.kind, async () => database);
  await store.provision();
  return store;
}

/** The store's life cycle around `open`: at most one creation, then what is attached, and the reverse at close. */
function lazyStore(kind: Database['kind'], open: () => Promise<Database>): OwnStore {
  let database: Database | undefined;
  let opening: Promise<Database> | undefined;
  type Use = (database: Database) => Detach | Promise<Detach>;
  const attached = new Map<Use, Promise<Detach> | undefined>();
  /** Undoes every attachment, newest first; `forget`: drops them too (at close), else they attach again on the next creation. */
  const detachAll = async (forget: boolean) => {
    const detaching = [...attached.values()].reverse();
    for (const use of attached.keys()) attached.set(use, undefined);
    if (forget) attached.clear();
    for (const detach of detaching) await (await detach?.catch(() => undefined))?.();
  };
  return {
    kind,
    get database() {
      return database;
    },
    provision() {
      opening ??= (async () => {
        const opened = await open();
        database = opened;
        // Synchronously after `database` is set: a concurrent `attach` sees it and attaches itself.
        for (const use of attached.keys())
          attached.set(
            use,
            Promise.resolve().then(() => use(opened)),
          );
        const results = await Promise.allSettled(attached.values());
        const failed = results.find((result) => result.status === 'rejected');
        if (failed) {
          await detachAll(false);
          database = undefined;
          await opened.close();
          throw failed.reason;
        }
        return opened;
      })();
      // A failed creation may be tried again (the next advance).
      opening.catch(() => (opening = undefined));
      return opening;
    },
    attach(use) {
      const current = database;
      attached.set(use, current && Promise.resolve().then(() => use(current)));
      return async () => {
        const detach = attached.get(use);
        attached.delete(use);
        await (await detach)?.();
      };
    },
    async close() {
      await opening?.catch(() => {});
      await detachAll(true);
      await database?.close();
    },
  };
}
