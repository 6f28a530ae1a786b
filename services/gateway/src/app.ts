import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connectionsClosed, createServer, DOCS_PATH, requestIdOf, type App } from '@cinemaabyss/http';
import type { OutboxMonitor } from '@cinemaabyss/outbox';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { startTrafficSampler, type TrafficSampler } from './admin/traffic.ts';
import { createAnalysis, type Analysis, type AnalysisOptions } from './analysis/analysis.ts';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_OVERRIDE_MAX_TTL_SECONDS } from './config.ts';
import { startControlPlane, type LiveControlPlane } from './control/plane.ts';
import type { StateStore } from './control/ports.ts';
import { gatewayMetrics } from './metrics.ts';
import { DOCUMENT_PATH, gatewayDocument, installDocument } from './openapi.ts';
import { createBackend, type Backend } from './proxy/backend.ts';
import { createProxy } from './proxy/handler.ts';
import { createShadow, type Shadow, type ShadowOptions } from './shadow/index.ts';
import type { RouteTable } from './routing/table.ts';
import { serveWebBuild, webRequestMatcher, type WebBuild } from './web/static.ts';

export interface GatewayDeps {
  table: RouteTable;
  logger: Logger;
  overrideSecret?: string | undefined;
  overrideMaxTtlSeconds?: number;
  /** Ceiling over the routes' body limits. */
  maxBodyBytes?: number;
  maxHeaderBytes?: number;
  /** One log line per proxied request (default on). */
  accessLog?: boolean;
  /** Shadow comparison's store of mismatches (the control plane's database) and this replica's name. */
  shadow?: ShadowOptions;
  /** Where the migrations' live state is kept; without one the route table is fixed (as before issue #10). */
  store?: StateStore;
  /** How often the plane re-reads the stored states besides notifications (GATEWAY_STATE_REFRESH_MS). */
  refreshMs?: number;
  /** Analysis of the migrated routes (window counts, verdicts, rollback and promotion); started with the plane. */
  analysis?: Omit<AnalysisOptions, 'metrics' | 'logger'>;
  /** The gateway's outbox (migration-events), when relayed: its outbox_* gauges go on /metrics for the backlog alerts. */
  outbox?: OutboxMonitor | undefined;
  /** The viewer web app's production build, served at `/` (see web/static.ts); without one every such path is proxied. */
  web?: WebBuild | undefined;
  /** Injected for tests: the split's random source and the breakers' clock. */
  random?: () => number;
  now?: () => number;
}

export interface Gateway {
  app: App;
  backends: Map<string, Backend>;
  /** Shadow comparison: its stats (onResult for the analysis) and its report (for the admin API). */
  shadow: Shadow;
  /** When configured: started with the plane (or by `analysis.start(plane)` without a store); closed with the app. */
  analysis?: Analysis;
  /**
   * First step of a shutdown: from now on every answer closes its connection and new requests get
   * 503; resolves once clients have left (or after `windowMs`), when `app.close()` can close the
   * rest without resetting a request on its way. Requests in flight finish.
   */
  drain(windowMs: number): Promise<void>;
  /** The live control plane, when a store was given; closed with the app. */
  plane?: LiveControlPlane;
  /** Requests/s, latency and errors per route and backend over the last minutes (the console's traffic view). */
  traffic: TrafficSampler;
}

// The gateway's own endpoints; every other path is proxied.
const OWN_PATHS = new Set(['/health', '/ready', '/metrics', DOCUMENT_PATH, DOCS_PATH]);
/** The gateway's interactive documentation and its assets (packages/http), never proxied. */
const isOwn = (path: string): boolean => OWN_PATHS.has(path) || path.startsWith(`${DOCS_PATH}/`);
const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export async function buildGateway(deps: GatewayDeps): Promise<Gateway> {
  const registry = new Registry();
  const backends = new Map<string, Backend>();
  const metrics = gatewayMetrics(registry, () => backends.values());
  deps.outbox?.register(registry);
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
  const traffic = startTrafficSampler({ metrics, backends: () => backends.values() });
  const analysis = deps.analysis ? createAnalysis({ ...deps.analysis, metrics, logger: deps.logger.child({ component: 'analysis' }) }) : undefined;
  let closing = false;
  const shadow = createShadow({ backends, metrics, logger: deps.logger, random: Math.random }, deps.shadow);
  const plane = deps.store
    ? await startControlPlane({ table: deps.table, store: deps.store, metrics, logger: deps.logger, refreshMs: deps.refreshMs ?? 5000 })
    : undefined;
  if (analysis) {
    // Shadow comparisons count in the analysis's windows (a dropped or failed shadow compared nothing).
    shadow.stats.onResult((name, result) => {
      const route = result === 'matched' || result === 'mismatched' || result === 'noise' ? deps.table.routes.find((r) => r.name === name) : undefined;
      if (route) analysis.counter.recordShadow(route, result as 'matched' | 'mismatched' | 'noise');
    });
    if (plane) analysis.start(plane);
  }
  const proxy = createProxy({
    table: deps.table,
    backends,
    metrics,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    accessLog: deps.accessLog ?? true,
    closing: () => closing,
    overrideSecret: deps.overrideSecret,
    overrideMaxTtlMs: (deps.overrideMaxTtlSeconds ?? DEFAULT_OVERRIDE_MAX_TTL_SECONDS) * 1000,
    random: deps.random ?? Math.random,
    now,
    newId: randomUUID,
    shadow: shadow.mirror,
    ...(analysis ? { observer: analysis.counter } : {}),
  });

  // The web app never answers a path the route table sends somewhere specific (the API) nor the gateway's own.
  const isWeb = deps.web
    ? webRequestMatcher(deps.web, ['/api', '/gateway/', ...deps.table.routes.map((r) => r.prefix).filter((prefix) => prefix !== '/')])
    : undefined;

  // Proxied requests never enter Fastify (no routing, hooks or reply objects): it serves only the
  // gateway's own paths and the web app. The proxy has its own answers for everything it rejects.
  const intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (isOwn(path) || isWeb?.(req.method, path, req.headers.accept)) return false;
    proxy(req, res, requestIdOf(req.headers, randomUUID), req.socket.remoteAddress ?? '');
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
    document: gatewayDocument(deps.table),
  });
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness of the gateway itself (no backend is asked)',
        tags: ['health'],
        response: { 200: { description: 'The gateway is up', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Strangler Fig Proxy is healthy'),
  );
  installDocument(app, deps.table);
  if (deps.web) await serveWebBuild(app, deps.web);

  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onClose', async () => {
    traffic.close();
    await analysis?.close(); // before the plane: its last decisions go through it
    await plane?.close();
    await shadow.close();
    await Promise.all([...backends.values()].map((b) => b.pool.close()));
  });
  // Proxied requests never enter Fastify, so packages/http's drain hooks do not see them: the
  // proxy answers 503 itself while `closing`; the wait for clients to leave is the shared one.
  const drain = async (windowMs: number): Promise<void> => {
    closing = true;
    await connectionsClosed(app, windowMs);
  };
  return { app, backends, shadow, drain, traffic, ...(plane ? { plane } : {}), ...(analysis ? { analysis } : {}) };
}
