import { isUnavailable, type Database } from '@cinemaabyss/db';
import { createServer, type App } from '@cinemaabyss/http';
import type { OutboxMonitor } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { dataAdminRoutes } from './data/admin-routes.ts';
import type { DataMigration } from './data/procedure.ts';
import { movieRoutes } from './movies/routes.ts';

export interface MoviesDeps {
  database: Database;
  logger: Logger;
  /** Called after a write whose domain event waits in the outbox (wakes the relay). */
  published?: () => void;
  /** The outbox's readiness check and metrics (main passes its publishing's; in-process tests may omit it). */
  outbox?: OutboxMonitor;
  /** The data migration into the service's own database (main starts it; tests may pass their own). */
  data?: (registry: Registry) => Promise<DataMigration>;
}

/** The movies service, ready to listen (tests drive it in-process or on port 0). */
export async function buildMoviesApp({ database, logger, published = () => {}, outbox, data: startData }: MoviesDeps): Promise<App> {
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
  movieRoutes(app, database.db, published, data);
  if (data) {
    dataAdminRoutes(app, data);
    app.addHook('onClose', () => data.close());
  }
  return app;
}
