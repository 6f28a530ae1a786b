import { isUnavailable, type Database } from '@cinemaabyss/db';
import { createServer, type App } from '@cinemaabyss/http';
import type { OutboxMonitor } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { Catalogue } from './catalogue/catalogue.ts';
import { watchCatalogue } from './catalogue/watch.ts';
import { DEFAULT_CATALOGUE_RECHECK_MS } from './config.ts';
import { listMovies } from './movies/queries.ts';
import { movieRoutes, out } from './movies/routes.ts';

export interface MoviesDeps {
  database: Database;
  logger: Logger;
  /** Called after a write whose domain event waits in the outbox (wakes the relay). */
  published?: () => void;
  /** The outbox's readiness check and metrics (main passes its publishing's; in-process tests may omit it). */
  outbox?: OutboxMonitor;
  /** How often a used catalogue is read again in case a change notification was lost (see catalogue/watch.ts). */
  catalogueRecheckMs?: number;
}

/** The movies service, ready to listen (tests drive it in-process or on port 0). */
export async function buildMoviesApp({ database, logger, published = () => {}, outbox, catalogueRecheckMs = DEFAULT_CATALOGUE_RECHECK_MS }: MoviesDeps): Promise<App> {
  const registry = new Registry();
  outbox?.register(registry);
  const app = await createServer({
    service: 'movies',
    title: 'CinemaAbyss movies service',
    description: 'The movies domain, extracted from the monolith (same contract as the monolith’s /api/movies).',
    logger,
    registry,
    healthPath: '/api/movies/health',
    readyPath: '/api/movies/ready',
    readiness: { database: () => database.ping(), ...(outbox ? { outbox: () => outbox.check() } : {}) },
    isUnavailable,
  });
  const catalogue = new Catalogue(async () => (await listMovies(database.db, {})).movies.map(out.stringify));
  const unwatch = await watchCatalogue(database, catalogue, logger, catalogueRecheckMs);
  app.addHook('onClose', unwatch);
  movieRoutes(app, database.db, published, catalogue);
  return app;
}
