import { fileURLToPath } from 'node:url';
import type { MigrationSet } from '@cinemaabyss/db';

/** The events service's own tables (processed_events), tracked apart from the monolith's. */
export const eventsMigrations: MigrationSet = {
  folder: fileURLToPath(new URL('../migrations', import.meta.url)),
  table: '__events_migrations',
};
