import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import Type, { type Static } from 'typebox';
import { DEFAULT_BODY_LIMIT } from '@cinemaabyss/http';
import type { GatewayConfig } from '../config.ts';
import type { MigrationState } from '../control/state.ts';

// The route table is data: backends with their timeouts, pools and breakers, and routes by path
// prefix and method, each with its backend and (optionally) a migration to another backend.
// Migrating a second domain (say /api/payments to a payments service) is a config change.

const Ms = (def: number) => Type.Integer({ minimum: 1, maximum: 600_000, default: def });
const Bytes = (options: { default?: number; description: string }) => Type.Integer({ minimum: 0, maximum: 2 ** 40, ...options });

/** What the CinemaAbyss services accept (packages/http's default body limit): larger bodies are refused at the gateway. */
export const SERVICE_BODY_LIMIT = DEFAULT_BODY_LIMIT;

export const BackendSpec = Type.Object(
  {
    url: Type.String({ pattern: '^https?://[^/?#]+/?$', description: 'Origin only: scheme, host, port' }),
    connectTimeoutMs: Ms(1000),
    firstByteTimeoutMs: Ms(10_000),
    totalTimeoutMs: Ms(30_000),
    connections: Type.Integer({ minimum: 1, maximum: 1024, default: 64, description: 'Keep-alive connections in the pool' }),
    maxConcurrent: Type.Integer({ minimum: 1, maximum: 100_000, default: 512 }),
    maxPending: Type.Integer({ minimum: 0, maximum: 100_000, default: 256 }),
    consecutiveFailures: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
    baseEjectionMs: Ms(30_000),
    maxEjectionMs: Ms(300_000),
    halfOpenProbes: Type.Integer({ minimum: 1, maximum: 100, default: 1 }),
    maxBodyBytes: Bytes({
      default: SERVICE_BODY_LIMIT,
      description: 'Largest request body the backend accepts (its own limit); larger ones are 413 at the gateway',
    }),
  },
  { additionalProperties: false },
);

export const MigrationSpec = Type.Object(
  {
    to: Type.String({ minLength: 1, description: 'The new backend' }),
    enabled: Type.Boolean({ default: false }),
    percent: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
    mode: Type.String({ enum: ['sticky', 'random'], default: 'sticky' }),
    fallback: Type.Boolean({ default: true, description: 'Serve idempotent requests from the old backend when the new one fails' }),
  },
  { additionalProperties: false },
);

export const RouteSpec = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
    prefix: Type.String({ pattern: '^/' }),
    methods: Type.Optional(Type.Array(Type.String({ enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] }), { minItems: 1 })),
    backend: Type.String({ minLength: 1 }),
    maxBodyBytes: Type.Optional(Bytes({ description: "Largest request body on this route, whichever backend serves it (default: the backend's)" })),
    migration: Type.Optional(MigrationSpec),
  },
  { additionalProperties: false },
);

export const RouteTableSpec = Type.Object(
  {
    backends: Type.Record(Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }), BackendSpec),
    routes: Type.Array(RouteSpec, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type BackendSpec = Static<typeof BackendSpec>;
export type RouteSpec = Static<typeof RouteSpec> & {
  migration?: Static<typeof MigrationSpec>;
  /** The control plane's full state of the migration (shadow and analysis read it); not part of the file format. */
  live?: MigrationState;
};
export type RouteTable = { backends: Record<string, BackendSpec>; routes: RouteSpec[] };

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateShape = ajv.compile(RouteTableSpec);

function describe(e: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }): string {
  const at = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${at} has unknown field '${String(e.params['additionalProperty'])}'`;
  return `${at} ${e.message ?? 'is invalid'}`;
}

export class RouteTableError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid gateway route table:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Validates shape and references; reports every problem at once. Fills in defaults. */
export function validateRouteTable(input: unknown): RouteTable {
  const table = structuredClone(input);
  const problems = validateShape(table) ? [] : (validateShape.errors ?? []).map(describe);
  if (typeof table !== 'object' || table === null) throw new RouteTableError(problems);
  // Reference checks run even when the shape is off, so one pass reports everything.
  const t = { backends: {}, ...(table as object) } as RouteTable;
  if (!Array.isArray(t.routes)) t.routes = [];
  if (typeof t.backends !== 'object' || t.backends === null) t.backends = {};
  const names = new Set<string>();
  for (const [i, route] of t.routes.entries()) {
    if (typeof route !== 'object' || route === null) continue;
    if (names.has(route.name)) problems.push(`/routes/${i} duplicate route name '${route.name}'`);
    names.add(route.name);
    if (!t.backends[route.backend]) problems.push(`/routes/${i} backend '${route.backend}' is not defined`);
    if (route.migration && !t.backends[route.migration.to]) problems.push(`/routes/${i} migration target '${route.migration.to}' is not defined`);
    if (route.migration && route.migration.to === route.backend) problems.push(`/routes/${i} migration target equals its backend`);
    if (typeof route.prefix === 'string' && route.prefix.length > 1 && route.prefix.endsWith('/')) problems.push(`/routes/${i} prefix must not end with '/'`);
  }
  if (!t.routes.some((r) => r?.prefix === '/' && !r.methods)) problems.push(`/routes needs a catch-all route (prefix '/', all methods)`);
  for (const [name, backend] of Object.entries(t.backends)) {
    if (backend && backend.baseEjectionMs > backend.maxEjectionMs) problems.push(`/backends/${name} baseEjectionMs exceeds maxEjectionMs`);
  }
  if (problems.length > 0) throw new RouteTableError(problems);
  return t;
}

/** The route table the environment variables describe (the form existing deployments use). */
export function tableFromEnv(config: GatewayConfig): unknown {
  return {
    backends: {
      monolith: { url: config.MONOLITH_URL },
      movies: { url: config.MOVIES_SERVICE_URL },
      events: { url: config.EVENTS_SERVICE_URL },
    },
    routes: [
      {
        name: 'movies',
        prefix: '/api/movies',
        backend: 'monolith',
        migration: { to: 'movies', enabled: config.GRADUAL_MIGRATION, percent: config.MOVIES_MIGRATION_PERCENT, mode: config.MIGRATION_MODE },
      },
      { name: 'events', prefix: '/api/events', backend: 'events' },
      { name: 'monolith', prefix: '/', backend: 'monolith' },
    ],
  };
}

/** A JSON file; `${VAR}` in string values is replaced from the environment (URLs per environment). */
export function tableFromFile(path: string, env: NodeJS.ProcessEnv): unknown {
  // Values are JSON-escaped: a quote or backslash in a variable cannot break out of its string.
  const text = readFileSync(path, 'utf8').replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => JSON.stringify(env[name] ?? '').slice(1, -1));
  return JSON.parse(text) as unknown;
}

export function loadRouteTable(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): RouteTable {
  let raw: unknown;
  try {
    raw = config.GATEWAY_CONFIG ? tableFromFile(config.GATEWAY_CONFIG, env) : tableFromEnv(config);
  } catch (error) {
    throw new RouteTableError([`GATEWAY_CONFIG ${config.GATEWAY_CONFIG}: ${(error as Error).message}`]);
  }
  return validateRouteTable(raw);
}

/** Longest matching prefix on a segment boundary ('/api/movies' matches '/api/movies/x', not '/api/moviesx'). */
export function matchRoute(routes: RouteSpec[], path: string, method: string): RouteSpec | undefined {
  let best: RouteSpec | undefined;
  for (const route of routes) {
    const p = route.prefix;
    const fits = p === '/' || path === p || path.startsWith(`${p}/`);
    if (!fits || (route.methods && !route.methods.includes(method))) continue;
    if (!best || p.length > best.prefix.length) best = route;
  }
  return best;
}
