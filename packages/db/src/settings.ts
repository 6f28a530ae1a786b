import { Type } from '@cinemaabyss/config';

/** Configuration keys of every service that owns a database connection. */
export const DatabaseSettings = {
  DB_CONNECTION_STRING: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL URL (alias DATABASE_URL); when unset the service uses PGlite',
    }),
  ),
  PGLITE_DATA_DIR: Type.String({
    default: '.data/pglite',
    description: 'PGlite data folder when no PostgreSQL URL is set; memory:// keeps it in memory',
  }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'PostgreSQL pool size' }),
  DB_AUTO_MIGRATE: Type.Optional(Type.Boolean({ description: 'Apply migrations at start-up (default: on for PGlite, off for PostgreSQL)' })),
};

export const databaseAliases = { DATABASE_URL: 'DB_CONNECTION_STRING' };
