import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { DataSettings } from '@cinemaabyss/movies';

export const EmbeddedConfig = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface every embedded service listens on' }),
  MONOLITH_PORT: Port(8080),
  MOVIES_PORT: Port(8081),
  EVENTS_PORT: Port(8082),
  GATEWAY_PORT: Port(8000),
  GRADUAL_MIGRATION: Type.Boolean({ default: false, description: 'Gateway: send a share of movie traffic to the movies service' }),
  MOVIES_MIGRATION_PERCENT: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
  MIGRATION_MODE: Type.String({ enum: ['sticky', 'random'], default: 'sticky' }),
  PGLITE_DATA_DIR: Type.String({
    default: '.data/pglite',
    description: 'Where PGlite persists; memory:// (or `npm start -- --memory`) keeps nothing',
  }),
  LOG_LEVEL: LogLevel,
  // The movies service's own database (a second PGlite folder) and its data migration.
  ...DataSettings,
});
export type EmbeddedConfig = Static<typeof EmbeddedConfig>;

export function loadEmbeddedConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): EmbeddedConfig {
  const config = loadConfig('embedded', EmbeddedConfig, env);
  if (argv.includes('--memory')) config.PGLITE_DATA_DIR = 'memory://';
  return config;
}
