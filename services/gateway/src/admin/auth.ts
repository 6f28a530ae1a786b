// Who may call an admin route: each route names the role it needs in its `config`; a hook checks
// the bearer token before anything else (body parsing and validation included) runs.
import { forbidden, unauthorized, type App } from '@cinemaabyss/http';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../control/ports.ts';
import { authenticate, type AdminToken, type Role } from './tokens.ts';

export interface RouteAuth {
  /** Absent: the route is public (health, the OpenAPI document). */
  role?: Role;
}

const CHALLENGE = 'Bearer realm="cinemaabyss-admin"';
const callers = new WeakMap<FastifyRequest, AdminToken>();

/** The OpenAPI security scheme the guarded routes name. */
export const SECURITY_SCHEMES = { bearer: { type: 'http', scheme: 'bearer', description: 'A token of GATEWAY_ADMIN_TOKENS' } } as const;

export function requireTokens(app: App, tokens: readonly AdminToken[]): void {
  app.addHook('onRoute', (route) => {
    if ((route.config as RouteAuth | undefined)?.role) route.schema = { ...route.schema, security: [{ bearer: [] }] };
  });
  app.addHook('onRequest', async (request, reply) => {
    const needed = (request.routeOptions.config as RouteAuth).role;
    if (!needed) return;
    const token = authenticate(tokens, request.headers.authorization);
    if (!token) {
      reply.header('www-authenticate', CHALLENGE);
      throw unauthorized('a valid bearer token is required');
    }
    if (needed === 'operator' && token.role !== 'operator') throw forbidden(`token '${token.label}' may read but not change (role ${token.role})`);
    callers.set(request, token);
  });
}

/** The token an authenticated request carried. */
export function callerOf(request: FastifyRequest): Pick<AdminToken, 'label' | 'role'> {
  const token = callers.get(request);
  if (!token) throw new Error('callerOf called on a route without a role');
  return { label: token.label, role: token.role };
}

/** The person behind an authenticated request: their token's label is the audit log's actor. */
export function actorOf(request: FastifyRequest): Actor {
  return { kind: 'person', label: callerOf(request).label };
}
