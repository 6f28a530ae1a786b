import { fileURLToPath } from 'node:url';
import type { MigrationSet } from '@cinemaabyss/db';

/** The movies service's own database (schema `movies`), tracked apart from every other set. */
export const moviesStoreMigrations: MigrationSet = {
  folder: fileURLToPath(new URL('../../migrations', import.meta.url)),
  table: '__movies_migrations',
};
