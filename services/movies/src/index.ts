export { buildMoviesApp, type MoviesDeps } from './app.ts';
export { DataSettings, MoviesConfig, loadMoviesConfig } from './config.ts';
export { startDataMigration, type DataMigration } from './data/procedure.ts';
export { moviesStoreMigrations } from './store/migrations.ts';
export { existingOwnStore, openOwnStore, type OwnStore } from './store/open.ts';
export { OWN_OUTBOX_LOCK, ownOutbox } from './store/schema.ts';
