import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { DatabaseSettings, databaseAliases } from '@cinemaabyss/db';
import { BusSettings, OutboxSettings } from '@cinemaabyss/event-bus';
import { TelemetrySettings } from '@cinemaabyss/telemetry';

export const MoviesConfig = Type.Object({
  PORT: Port(8081),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
  LOG_LEVEL: LogLevel,
  ...TelemetrySettings,
  ...DatabaseSettings,
  ...BusSettings,
  ...OutboxSettings,
});
export type MoviesConfig = Static<typeof MoviesConfig>;

export const loadMoviesConfig = (env: NodeJS.ProcessEnv = process.env): MoviesConfig =>
  loadConfig('movies', MoviesConfig, env, { aliases: databaseAliases });
