import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { DatabaseSettings, databaseAliases } from '@cinemaabyss/db';
import { BusSettings } from '@cinemaabyss/event-bus';
import { OutboxSettings } from '@cinemaabyss/outbox';
import { TelemetrySettings } from '@cinemaabyss/telemetry';

/** How often a used catalogue is read again, bounding how long a lost change notification can leave it stale. */
export const DEFAULT_CATALOGUE_RECHECK_MS = 10_000;

/** The movies service's own database and the data migration into it (issue #12; README runbook). */
export const DataSettings = {
  MOVIES_DB_CONNECTION_STRING: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: "The movies service's own PostgreSQL database; without it (and with DB_CONNECTION_STRING set) the data migration cannot start",
    }),
  ),
  MOVIES_PGLITE_DATA_DIR: Type.Optional(
    Type.String({
      description:
        "The own database's PGlite folder when the service runs on PGlite (default: PGLITE_DATA_DIR followed by -movies; in memory when that is), created when the data migration reaches phase 1",
    }),
  ),
  // Small batches at a paced rate: an even trickle, not bursts the monolith's reads queue behind (bench/README.md, "bench:data").
  MOVIES_BACKFILL_BATCH: Type.Integer({ minimum: 1, maximum: 50_000, default: 50, description: 'Movies copied per backfill batch' }),
  MOVIES_BACKFILL_MAX_ROWS_PER_SECOND: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 6000,
    description: "Backfill rate cap; the backfill paces its batches to it and goes slower while the monolith's database answers slowly",
  }),
  MOVIES_BACKFILL_MAX_BUSY_PERCENT: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 50,
    description: "Share of wall time the backfill may spend reading the monolith: it waits between batches in proportion to the monolith's read latency",
  }),
  MOVIES_BACKFILL_SLOWDOWN_RATIO: Type.Number({
    minimum: 1.1,
    maximum: 100,
    default: 2,
    description:
      "The backfill halves its rate while its reads of the monolith's database take more than this many times their learnt baseline (its fastest recent reads), and adds 5 % of the cap back per batch otherwise",
  }),
  MOVIES_RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 10_000, description: 'Reconciler period from phase 3 on' }),
  MOVIES_CDC_GROUP: Type.String({ default: 'cinemaabyss-movies-cdc', minLength: 1, description: 'Consumer group of the change capture' }),
};

export const MoviesConfig = Type.Object({
  PORT: Port(8081),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
  LOG_LEVEL: LogLevel,
  ...TelemetrySettings,
  ...DatabaseSettings,
  ...BusSettings,
  ...OutboxSettings,
  ...DataSettings,
  CATALOGUE_RECHECK_MS: Type.Integer({
    minimum: 100,
    maximum: 3_600_000,
    default: DEFAULT_CATALOGUE_RECHECK_MS,
    description: 'Milliseconds between re-reads of the cached movie list, in case a change notification was lost',
  }),
});
export type MoviesConfig = Static<typeof MoviesConfig>;

export const loadMoviesConfig = (env: NodeJS.ProcessEnv = process.env): MoviesConfig => loadConfig('movies', MoviesConfig, env, { aliases: databaseAliases });
