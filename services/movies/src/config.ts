import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { DatabaseSettings, databaseAliases } from '@cinemaabyss/db';
import { BusSettings, OutboxSettings } from '@cinemaabyss/event-bus';

/** How often a used catalogue is read again, bounding how long a lost change notification can leave it stale. */
export const DEFAULT_CATALOGUE_RECHECK_MS = 10_000;

export const MoviesConfig = Type.Object({
  PORT: Port(8081),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
  LOG_LEVEL: LogLevel,
  ...DatabaseSettings,
  ...BusSettings,
  ...OutboxSettings,
  CATALOGUE_RECHECK_MS: Type.Integer({
    minimum: 100,
    maximum: 3_600_000,
    default: DEFAULT_CATALOGUE_RECHECK_MS,
    description: 'Milliseconds between re-reads of the cached movie list, in case a change notification was lost',
  }),
});
export type MoviesConfig = Static<typeof MoviesConfig>;

export const loadMoviesConfig = (env: NodeJS.ProcessEnv = process.env): MoviesConfig =>
  loadConfig('movies', MoviesConfig, env, { aliases: databaseAliases });
