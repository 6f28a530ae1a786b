import { fileURLToPath } from 'node:url';
import type { MigrationSet } from '@cinemaabyss/db';

/** The gateway's own tables (schema `gateway`), with their own record of which migrations ran. */
export const gatewayMigrations: MigrationSet = {
  folder: fileURLToPath(new URL('../../../migrations', import.meta.url)),
  table: '__gateway_migrations',
};
