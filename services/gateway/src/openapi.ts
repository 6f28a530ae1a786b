// Brings @fastify/swagger's type augmentation (`hide`, `app.swagger()`) into this project's build.
import type {} from '@fastify/swagger';
import type { App } from '@cinemaabyss/http';
import type { RouteTable } from './routing/table.ts';

// The gateway's own OpenAPI document. `/openapi.json` is not the gateway's: like every path but its
// own it is proxied (to the monolith, whose document describes the public API).
export const DOCUMENT_PATH = '/gateway/openapi.json';

const text = (description: string, type: string) => ({ description, content: { [type]: { schema: { type: 'string' } } } });

/** The paths Fastify's document leaves out (hidden by packages/http), described by hand. */
const HIDDEN_PATHS = {
  '/metrics': {
    get: {
      summary: 'Prometheus metrics: proxied requests, routing decisions, breaker states, pool saturation',
      tags: ['observability'],
      responses: { 200: text('Prometheus text exposition format', 'text/plain; version=0.0.4; charset=utf-8') },
    },
  },
  [DOCUMENT_PATH]: {
    get: {
      summary: "This document: the gateway's own endpoints",
      tags: ['observability'],
      responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  },
};

function describeRoutes(table: RouteTable): string {
  const lines = table.routes.map((r) => {
    const methods = r.methods ? ` (${r.methods.join(', ')})` : '';
    const migration = r.migration ? `, migrating to ${r.migration.to}` : '';
    return `- \`${r.prefix}\`${methods} → ${r.backend}${migration}`;
  });
  return [
    `Only the paths below are the gateway's own; every other path is proxied by longest prefix:`,
    '',
    ...lines,
    '',
    'The public API is described by `/openapi.json` (proxied). Answers the gateway gives itself on',
    'proxied paths are `{"error": "..."}` JSON with `X-Served-By: gateway`: 400 (bad request target),',
    '408 (body too slow to arrive), 413 (body over the route limit), 502 (backend unreachable, or it closed the connection before',
    'reading the whole body), 503 (backend ejected or at capacity, or the gateway shutting down),',
    '504 (backend too slow).',
  ].join('\n');
}

/** The gateway's document: the generated one plus the route table and the paths Fastify leaves out (also what `/docs` shows). */
export function gatewayDocument(table: RouteTable) {
  return (generated: Record<string, unknown>): Record<string, unknown> => ({
    ...generated,
    info: { ...(generated['info'] as object), description: describeRoutes(table) },
    paths: { ...(generated['paths'] as object | undefined), ...HIDDEN_PATHS },
  });
}

/** Serves the document at DOCUMENT_PATH, built once on first use (the routes are fixed by then). */
export function installDocument(app: App, table: RouteTable): void {
  let document: string | undefined;
  app.get(DOCUMENT_PATH, { schema: { hide: true } }, async (_request, reply) => {
    document ??= JSON.stringify(gatewayDocument(table)(app.swagger() as Record<string, unknown>));
    return reply.type('application/json; charset=utf-8').send(document);
  });
}
