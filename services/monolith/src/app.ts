import { HealthStatus } from '@cinemaabyss/api';
import { isUnavailable, type Database } from '@cinemaabyss/db';
import { createServer, type App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';
import { movieRoutes } from './movies/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { subscriptionRoutes } from './subscriptions/routes.ts';
import { userRoutes } from './users/routes.ts';

export interface MonolithDeps {
  database: Database;
  logger: Logger;
  /** Called after a write whose domain event waits in the outbox (wakes the relay). */
  published?: () => void;
}

/** The monolith, ready to listen (tests drive it in-process or on port 0). */
export async function buildMonolithApp({ database, logger, published = () => {} }: MonolithDeps): Promise<App> {
  const app = await createServer({
    service: 'monolith',
    title: 'CinemaAbyss monolith',
    description: 'Users, movies, payments and subscriptions: the system being strangled.',
    logger,
    healthPath: '/health',
    readyPath: '/ready',
    readiness: { database: () => database.ping() },
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
