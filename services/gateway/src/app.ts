import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, requestIdOf, type App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { startControlPlane, type LiveControlPlane } from './control/plane.ts';
import type { StateStore } from './control/ports.ts';
import { gatewayMetrics } from './metrics.ts';
import { createBackend, type Backend } from './proxy/backend.ts';
import { createProxy, sendJson } from './proxy/handler.ts';
import type { RouteTable } from './routing/table.ts';

export interface GatewayDeps {
  table: RouteTable;
  logger: Logger;
  overrideSecret?: string | undefined;
  maxBodyBytes?: number;
  maxHeaderBytes?: number;
  /** One log line per proxied request (default on). */
  accessLog?: boolean;
  /** Where the migrations' live state is kept; without one the route table is fixed (as before issue #10). */
  store?: StateStore;
  /** How often the plane re-reads the stored states besides notifications (GATEWAY_STATE_REFRESH_MS). */
  refreshMs?: number;
  /** Injected for tests: the split's random source and the breakers' clock. */
  random?: () => number;
  now?: () => number;
}

export interface Gateway {
  app: App;
  backends: Map<string, Backend>;
  /** The live control plane, when a store was given; closed with the app. */
  plane?: LiveControlPlane;
}

// The gateway's own endpoints; every other path is proxied.
const OWN_PATHS = new Set(['/health', '/ready', '/metrics']);
const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export async function buildGateway(deps: GatewayDeps): Promise<Gateway> {
  const registry = new Registry();
  const backends = new Map<string, Backend>();
  const metrics = gatewayMetrics(registry, () => backends.values());
  const now = deps.now ?? Date.now;
  for (const [name, spec] of Object.entries(deps.table.backends)) {
    backends.set(
      name,
      createBackend(name, spec, now, (backend, from, to) => {
        metrics.breakerState.set({ backend }, BREAKER_VALUE[to]);
        deps.logger.warn({ backend, from, to }, 'circuit breaker state changed');
      }),
    );
    metrics.breakerState.set({ backend: name }, 0);
  }
  for (const route of deps.table.routes) {
    if (route.migration) metrics.migrationPercent.set({ route: route.name, to: route.migration.to }, route.migration.enabled ? route.migration.percent : 0);
  }
  const plane = deps.store
    ? await startControlPlane({ table: deps.table, store: deps.store, metrics, logger: deps.logger, refreshMs: deps.refreshMs ?? 5000 })
    : undefined;
  const proxy = createProxy({
    table: deps.table,
    backends,
    metrics,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes ?? 10 * 1024 * 1024,
    accessLog: deps.accessLog ?? true,
    overrideSecret: deps.overrideSecret,
    random: deps.random ?? Math.random,
    now,
    newId: randomUUID,
  });

  let closing = false;
  // Proxied requests never enter Fastify (no routing, hooks or reply objects): it serves only the
  // gateway's own paths. The proxy has its own answers for everything it rejects.
  const intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (OWN_PATHS.has(q < 0 ? url : url.slice(0, q))) return false;
    const requestId = requestIdOf(req.headers, randomUUID);
    if (closing) sendJson(res, 503, 'the gateway is shutting down', requestId, { connection: 'close' });
    else proxy(req, res, requestId, req.socket.remoteAddress ?? '');
    return true;
  };

  const app = await createServer({
    service: 'gateway',
    title: 'CinemaAbyss gateway',
    logger: deps.logger,
    registry,
    readyPath: '/ready',
    logRequests: false, // the proxy writes one richer line per request itself
    ...(deps.maxHeaderBytes ? { maxHeaderBytes: deps.maxHeaderBytes } : {}),
    intercept,
  });
  app.get('/health', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Strangler Fig Proxy is healthy'));

  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onClose', async () => {
    await plane?.close();
    await Promise.all([...backends.values()].map((b) => b.pool.close()));
  });
  return { app, backends, ...(plane ? { plane } : {}) };
}
