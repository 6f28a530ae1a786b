import { ErrorBody } from '@cinemaabyss/api';
import type { FastifyInstance } from 'fastify';

/**
 * Every documented route lists the error answers it can give, derived here from what it
 * accepts instead of by hand in each route: 400 (a bad query or URL), 405 (another method on its
 * path), 500 and 503 anywhere, 413 and 415 where it reads a body. A route's own entries (404,
 * 409, 422, or a readiness 503 with its own body) win.
 */
export function documentErrorAnswers(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    if (schema.hide) return;
    const statuses = [400, 405, 500, 503, ...(schema.body ? [413, 415] : [])];
    const shared = Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
    route.schema = { ...schema, response: { ...shared, ...(schema.response as object | undefined) } };
  });
}
