import { isUnavailable, type Database } from '@cinemaabyss/db';
import { createServer, type App } from '@cinemaabyss/http';
import type { OutboxMonitor } from '@cinemaabyss/outbox';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { Catalogue } from './catalogue/catalogue.ts';
import { watchCatalogue } from './catalogue/watch.ts';
import { DEFAULT_CATALOGUE_RECHECK_MS } from './config.ts';
import { dataAdminRoutes } from './data/admin-routes.ts';
import type { DataMigration } from './data/procedure.ts';
import { listMovies } from './movies/queries.ts';
import { movieRoutes, out } from './movies/routes.ts';
import { listOwnMovies } from './store/queries.ts';

export interface MoviesDeps {
  database: Database;
  logger: Logger;
  /** Called after a write whose domain event waits in the outbox (wakes the relay). */
  published?: () => void;
  /** The outbox's readiness check and metrics (main passes its publishing's; in-process tests may omit it). */
  outbox?: OutboxMonitor;
  /** How often a used catalogue is read again in case a change notification was lost (see catalogue/watch.ts). */
  catalogueRecheckMs?: number;
  /** The data migration into the service's own database (main starts it; tests may pass their own). */
  data?: (registry: Registry) => Promise<DataMigration>;
}

/** The movies service, ready to listen (tests drive it in-process or on port 0). */
export async function buildMoviesApp({
  database,
  logger,
  published = () => {},
  outbox,
  catalogueRecheckMs = DEFAULT_CATALOGUE_RECHECK_MS,
  data: startData,
}: MoviesDeps): Promise<App> {
  const registry = new Registry();
  outbox?.register(registry);
  const data = await startData?.(registry);
  const app = await createServer({
    service: 'movies',
    title: 'CinemaAbyss movies service',
    description: 'The movies domain, extracted from the monolith (same contract as the monolith’s /api/movies).',
    logger,
    registry,
    healthPath: '/api/movies/health',
    readyPath: '/api/movies/ready',
    readiness: {
      database: () => database.ping(),
      ...(outbox ? { outbox: () => outbox.check() } : {}),
      ...(data ? { store: () => data.ping() } : {}),
    },
    isUnavailable,
  });
  // The cached list follows the data migration: read from the store reads come from, watched on
  // both databases (their tables' triggers notify), and dropped when the phase changes.
  const catalogue = new Catalogue(async () => {
    const from = data?.reads() ?? { db: database.db, own: false };
    return (await (from.own ? listOwnMovies : listMovies)(from.db, {})).movies.map(out.stringify);
  });
  const watches = [await watchCatalogue(database, catalogue, logger, catalogueRecheckMs)];
  // The own database may appear later (phase 1): watched from then on.
  if (data?.own) watches.push(data.own.attach((own) => watchCatalogue(own, catalogue, logger, catalogueRecheckMs)));
  data?.onPhase(() => catalogue.invalidate());
  app.addHook('onClose', async () => {
    for (const unwatch of watches) await unwatch();
  });
  movieRoutes(app, database.db, published, catalogue, data);
  if (data) {
    dataAdminRoutes(app, data);
    app.addHook('onClose', () => data.close());
  }
  return app;
}
