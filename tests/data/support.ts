// The data migration under test (issue #12): the monolith and the movies service over two
// databases (the monolith's, the movies service's own), the outbox relay and a bus, on free ports.
import { sql, type SQL } from 'drizzle-orm';
import { migrate, type Database } from '@cinemaabyss/db';
import { embeddedBusMigrations, type EventBus } from '@cinemaabyss/event-bus';
import { startOutboxRelay, type OutboxRelay } from '@cinemaabyss/outbox';
import { listen, type App } from '@cinemaabyss/http';
import { buildMonolithApp, startMovieCopy } from '@cinemaabyss/monolith';
import {
  OWN_OUTBOX_LOCK,
  buildMoviesApp,
  existingOwnStore,
  moviesStoreMigrations,
  ownOutbox,
  startDataMigration,
  type DataMigration,
} from '@cinemaabyss/movies';
import type { DataStatus } from '@cinemaabyss/api';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { openTestBus, uniqueTopic } from '../support/bus.ts';
import { eventually } from '../support/events-stack.ts';
import { call, quietLogger } from '../support/stack.ts';
import { buildGateway, createStateStore, gatewayMigrations, startGatewayAdmin, validateRouteTable } from '@cinemaabyss/gateway';

export interface DataSettingsOverride {
  MOVIES_BACKFILL_BATCH?: number;
  MOVIES_BACKFILL_MAX_ROWS_PER_SECOND?: number;
  MOVIES_RECONCILE_INTERVAL_MS?: number;
}

export const OPERATOR_TOKEN = 'data-operator-token-0123456789';

export interface DataStack {
  /** The gateway in front (`gateway: true`): its public and admin URLs. */
  gateway?: { url: string; admin: string };
  legacy: TestDatabase;
  own: TestDatabase;
  bus: EventBus;
  relay: OutboxRelay;
  monolith: string;
  movies: string;
  data: DataMigration;
  /** Stops the movies service (its workers finish the batch in hand) and starts a new one. */
  restartMovies(settings?: DataSettingsOverride): Promise<void>;
  stopMovies(): Promise<void>;
  startMovies(settings?: DataSettingsOverride): Promise<void>;
  close(): Promise<void>;
}

/**
 * `legacy`: the monolith's database to use (the caller keeps and drops it), else a fresh seeded one.
 * `gateway`: a gateway with its admin API in front.
 */
export async function startDataStack(settings: DataSettingsOverride = {}, options: { gateway?: boolean; legacy?: TestDatabase } = {}): Promise<DataStack> {
  const legacy = options.legacy ?? (await freshDatabase());
  await migrate(legacy.database, embeddedBusMigrations);
  // Created and migrated up front, as a PostgreSQL own database is (MOVIES_DB_CONNECTION_STRING).
  const own = await freshDatabase({ seed: false, migrations: [moviesStoreMigrations] });
  const ownStore = await existingOwnStore(own.database);
  const bus = await openTestBus(legacy.database, uniqueTopic('data'));
  const logger = quietLogger();
  const relay = startOutboxRelay({ database: legacy.database, bus, log: logger, idleMs: 20 });
  const ownRelay = startOutboxRelay({ database: own.database, bus, log: logger, idleMs: 20, table: ownOutbox, leaderLock: OWN_OUTBOX_LOCK });
  const published = () => {
    relay.notify();
    ownRelay.notify();
  };
  const monolithApp = await buildMonolithApp({ database: legacy.database, logger, published });
  const copy = startMovieCopy(bus, legacy.database, uniqueTopic('monolith-copy'), logger);
  const group = uniqueTopic('movies-cdc');
  let moviesApp: App | undefined;
  const stack = {
    legacy,
    own,
    bus,
    relay,
    monolith: await listen(monolithApp, 0, '127.0.0.1'),
    movies: '',
    data: undefined as unknown as DataMigration,
    async startMovies(overrides: DataSettingsOverride = settings) {
      const start = (registry: Parameters<typeof startDataMigration>[0]['registry']) =>
        startDataMigration({
          legacy: legacy.database,
          own: ownStore,
          bus,
          logger,
          registry,
          refreshMs: 50,
          settings: {
            MOVIES_BACKFILL_BATCH: 500,
            MOVIES_BACKFILL_MAX_ROWS_PER_SECOND: 100_000,
            MOVIES_BACKFILL_MAX_BUSY_PERCENT: 50,
            MOVIES_BACKFILL_SLOWDOWN_RATIO: 2,
            MOVIES_RECONCILE_INTERVAL_MS: 500,
            MOVIES_CDC_GROUP: group,
            ...overrides,
          },
        }).then((data) => (stack.data = data));
      moviesApp = await buildMoviesApp({ database: legacy.database, logger, published, data: start });
      stack.movies = await listen(moviesApp, 0, '127.0.0.1');
    },
    async stopMovies() {
      await moviesApp?.close();
      moviesApp = undefined;
    },
    async restartMovies(overrides?: DataSettingsOverride) {
      await stack.stopMovies();
      await stack.startMovies(overrides);
    },
    async close() {
      await stack.stopMovies();
      await monolithApp.close();
      await copy.stop();
      await relay.stop();
      await ownRelay.stop();
      await bus.close();
      await own.drop();
      if (!options.legacy) await legacy.drop();
    },
  };
  await stack.startMovies();
  let closeGateway = async () => {};
  if (options.gateway) {
    // The gateway keeps its state in the monolith's database (schema gateway), as compose does.
    await migrate(legacy.database, gatewayMigrations);
    const table = validateRouteTable({
      backends: { monolith: { url: stack.monolith }, movies: { url: stack.movies } },
      routes: [
        { name: 'movies', prefix: '/api/movies', backend: 'monolith', migration: { to: 'movies', enabled: true, percent: 50, mode: 'random' } },
        { name: 'monolith', prefix: '/', backend: 'monolith' },
      ],
    });
    const gateway = await buildGateway({
      table,
      logger,
      store: await createStateStore(legacy.database, logger),
      refreshMs: 1000,
      shadow: { database: legacy.database, replica: 'test' },
      analysis: { database: legacy.database, replicaId: 'test' },
    });
    const admin = (await startGatewayAdmin(
      gateway,
      {
        tokens: `ops:operator:${OPERATOR_TOKEN}`,
        port: 0,
        host: '127.0.0.1',
        eventsUrl: stack.monolith /* no events service here; its admin view is not used */,
      },
      logger,
    ))!;
    (stack as DataStack).gateway = { url: await listen(gateway.app, 0, '127.0.0.1'), admin: admin.url };
    closeGateway = async () => {
      await admin.app.close();
      await gateway.app.close();
    };
  }
  const close = stack.close;
  stack.close = async () => {
    await closeGateway();
    await close();
  };
  return stack;
}

/** Adds `count` movies straight into the monolith's tables (a catalogue to backfill). */
export async function insertMovies(database: Database, count: number): Promise<void> {
  await database.db.execute(sql`
    with made as (
      insert into movies (title, description, rating)
      select 'Bulk ' || n, 'made for the backfill', (n % 100) / 10.0 from generate_series(1, ${count}) as n
      returning id
    )
    insert into movie_genres (movie_id, genre) select id, case when id % 2 = 0 then 'Drama' else 'Comedy' end from made`);
}

export const status = async (stack: DataStack): Promise<DataStatus> => (await call('GET', `${stack.movies}/admin/data`)).body as DataStatus;

/** Advances one phase through the service's admin API, retrying while the step is blocked (drift, lag). */
export async function advance(stack: DataStack, to: number, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await eventually(
    async () => {
      const answer = await call('POST', `${stack.movies}/admin/data/advance`, { reason: `test: to phase ${to}` });
      if (answer.status === 200) return true;
      last = answer.text;
      if (answer.status !== 409) throw new Error(`advance to ${to}: ${answer.status} ${answer.text}`);
      return (await status(stack)).phase >= to;
    },
    timeoutMs,
    `phase ${to} (last refusal: ${last})`,
  );
}

/** From phase 0 to `phase` through the service's admin API, waiting for the backfill on the way. */
export async function advanceTo(stack: DataStack, phase: number): Promise<void> {
  for (let next = 1; next <= phase; next++) {
    if (next === 3) await eventually(async () => (await status(stack)).backfill.done, 60_000, 'backfill done');
    await advance(stack, next);
  }
}

export async function back(stack: DataStack): Promise<DataStatus> {
  const answer = await call('POST', `${stack.movies}/admin/data/back`, { reason: 'test: one phase back' });
  if (answer.status !== 200) throw new Error(`back: ${answer.status} ${answer.text}`);
  return answer.body as DataStatus;
}

/** Posts movies to `url` (or where `url()` says at each write) one after the other until stopped; returns the created ids. */
export function writer(url: string | (() => string)): { stop(): Promise<number[]> } {
  const target = typeof url === 'string' ? () => url : url;
  const ids: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const answer = await call('POST', `${target()}/api/movies`, {
        title: `Live ${n}`,
        description: 'written during the migration',
        genres: ['Live', n % 2 ? 'Odd' : 'Even'],
        rating: n % 10,
      });
      if (answer.status !== 201) throw new Error(`POST /api/movies: ${answer.status} ${answer.text}`);
      ids.push((answer.body as { id: number }).id);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return ids;
    },
  };
}

/** Reads the catalogue from `url` until stopped; every answer must be a 200. */
export function reader(url: string): { stop(): Promise<number> } {
  let running = true;
  let reads = 0;
  const loop = (async () => {
    while (running) {
      const answer = await call('GET', `${url}/api/movies?limit=50&offset=${reads % 7}`);
      if (answer.status !== 200) throw new Error(`GET /api/movies: ${answer.status} ${answer.text}`);
      reads++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return reads;
    },
  };
}

/** The first row of a query, on either back-end. */
export async function queryOne<T>(database: Database, query: SQL): Promise<T> {
  const result = (await database.db.execute(query)) as unknown as { rows: T[] };
  return result.rows[0]!;
}
