import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { GatewayConfig } from '@cinemaabyss/gateway';
import { DataSettings } from '@cinemaabyss/movies';
import { TelemetrySettings } from '@cinemaabyss/telemetry';

// The movies service's own database is a second PGlite folder here: no URL to set.
const { MOVIES_DB_CONNECTION_STRING: _url, ...embeddedDataSettings } = DataSettings;

export const EmbeddedConfig = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface every embedded service listens on' }),
  // One process, four servers: each its own port variable (PORT alone would not say whose).
  MONOLITH_PORT: Port(8080, 'Port of the monolith'),
  MOVIES_PORT: Port(8081, 'Port of the movies service'),
  EVENTS_PORT: Port(8082, 'Port of the events service'),
  GATEWAY_PORT: Port(8000, 'Port of the gateway (the public entry point)'),
  GRADUAL_MIGRATION: GatewayConfig.properties.GRADUAL_MIGRATION,
  MOVIES_MIGRATION_PERCENT: GatewayConfig.properties.MOVIES_MIGRATION_PERCENT,
  MIGRATION_MODE: GatewayConfig.properties.MIGRATION_MODE,
  PGLITE_DATA_DIR: Type.String({
    default: '.data/pglite',
    description: 'Where PGlite persists; memory:// (or `npm start -- --memory`) keeps nothing',
  }),
  LOG_LEVEL: LogLevel,
  // The movies service's own database and its data migration.
  ...embeddedDataSettings,
  ...TelemetrySettings,
});
export type EmbeddedConfig = Static<typeof EmbeddedConfig>;

export function loadEmbeddedConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): EmbeddedConfig {
  const config = loadConfig('embedded', EmbeddedConfig, env);
  if (argv.includes('--memory')) config.PGLITE_DATA_DIR = 'memory://';
  return config;
}
