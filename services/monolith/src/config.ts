import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { DatabaseSettings, databaseAliases } from '@cinemaabyss/db';
import { BusSettings } from '@cinemaabyss/event-bus';
import { OutboxSettings } from '@cinemaabyss/outbox';
import { TelemetrySettings } from '@cinemaabyss/telemetry';

export const MonolithConfig = Type.Object({
  PORT: Port(8080),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
  LOG_LEVEL: LogLevel,
  ...TelemetrySettings,
  ...DatabaseSettings,
  ...BusSettings,
  ...OutboxSettings,
  MOVIE_CHANGES_GROUP: Type.String({
    default: 'cinemaabyss-monolith-movie-changes',
    minLength: 1,
    description: "Consumer group applying the movies service's movie changes to the monolith's tables (data migration phase 5)",
  }),
});
export type MonolithConfig = Static<typeof MonolithConfig>;

export const loadMonolithConfig = (env: NodeJS.ProcessEnv = process.env): MonolithConfig =>
  loadConfig('monolith', MonolithConfig, env, { aliases: databaseAliases });
