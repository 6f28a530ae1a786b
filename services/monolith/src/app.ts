import { HealthStatus } from '@cinemaabyss/api';
import { isUnavailable, type Database } from '@cinemaabyss/db';
import { createServer, type App } from '@cinemaabyss/http';
import type { OutboxMonitor } from '@cinemaabyss/outbox';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { movieRoutes } from './movies/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { subscriptionRoutes } from './subscriptions/routes.ts';
import { userRoutes } from './users/routes.ts';

export interface MonolithDeps {
  database: Database;
  logger: Logger;
  /** Called after a write whose domain event waits in the outbox (wakes the relay). */
  published?: () => void;
  /** The outbox's readiness check and metrics (main passes its publishing's; in-process tests may omit it). */
  outbox?: OutboxMonitor;
}

/** The monolith, ready to listen (tests drive it in-process or on port 0). */
export async function buildMonolithApp({ database, logger, published = () => {}, outbox }: MonolithDeps): Promise<App> {
  const registry = new Registry();
  outbox?.register(registry);
  const app = await createServer({
    service: 'monolith',
    title: 'CinemaAbyss monolith',
    description: 'Users, movies, payments and subscriptions: the system being strangled.',
    logger,
    registry,
    healthPath: '/health',
    readyPath: '/ready',
    readiness: { database: () => database.ping(), ...(outbox ? { outbox: () => outbox.check() } : {}) },
    isUnavailable,
  });
  // Whichever backend the gateway picks for /api/movies*, the movies health path answers.
  app.get('/api/movies/health', { schema: { tags: ['health'], response: { 200: HealthStatus } } }, async () => ({
    status: true,
  }));
  userRoutes(app, database.db, published);
  movieRoutes(app, database.db, published);
  paymentRoutes(app, database.db, published);
  subscriptionRoutes(app, database.db);
  return app;
}
