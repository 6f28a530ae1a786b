// Helpers for the shadow suites: a fault-injecting proxy in front of a real service, and a gateway
// whose `movies` route mirrors (its live state set directly, as the control plane would).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { migrate, type Database } from '@cinemaabyss/db';
import { buildGateway, loadGatewayConfig, tableFromEnv, validateRouteTable, type Gateway } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import { initialState, type ShadowSettings } from '../../services/gateway/src/control/state.ts';
import { quietLogger } from '../support/stack.ts';

export type Fault =
  | { kind: 'none' }
  /** Rewrites the JSON body (one field of one movie, say). */
  | { kind: 'alter'; change: (body: unknown) => unknown }
  /** Never answers until released. */
  | { kind: 'hang' }
  /** Closes the connection without an answer. */
  | { kind: 'reset' };

export interface FaultProxy {
  url: string;
  fault: Fault;
  /** Request headers of every request that reached the proxy. */
  seen: IncomingHttpHeaders[];
  /** Answers every hanging request (from the real service) and stops hanging. */
  release(): void;
  close(): Promise<void>;
}

/** A proxy in front of `upstream` that misbehaves as `fault` says (changeable between requests). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const hanging: Array<() => void> = [];
  const proxy: FaultProxy = {
    url: '',
    fault: { kind: 'none' },
    seen: [],
    release() {
      proxy.fault = { kind: 'none' };
      for (const answer of hanging.splice(0)) answer();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const forward = async (method: string, url: string, headers: IncomingHttpHeaders, res: ServerResponse, fault: Fault) => {
    const answer = await fetch(`${upstream}${url}`, { method, headers: { accept: String(headers['accept'] ?? '*/*') } });
    let body = Buffer.from(await answer.arrayBuffer());
    if (fault.kind === 'alter' && method !== 'HEAD') body = Buffer.from(JSON.stringify(fault.change(JSON.parse(body.toString('utf8')))));
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', 'content-length': body.length });
    res.end(method === 'HEAD' ? undefined : body);
  };
  const server: Server = createServer((req, res) => {
    proxy.seen.push(req.headers);
    const fault = proxy.fault;
    req.resume();
    if (fault.kind === 'reset') return void req.socket.destroy();
    const go = () => void forward(req.method ?? 'GET', req.url ?? '/', req.headers, res, fault).catch(() => res.destroy());
    if (fault.kind === 'hang') hanging.push(go);
    else go();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}

export interface ShadowGateway {
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/** The gateway's tables (schema `gateway`), for the mismatches' store. */
export async function migrateGatewayTables(database: Database): Promise<void> {
  await migrate(database, { folder: fileURLToPath(new URL('../../services/gateway/migrations', import.meta.url)), table: '__gateway_migrations' });
}

/**
 * A gateway with `monolith` serving /api/movies and `movies` as its migration target, in stage
 * shadow at 100 % unless `settings` say otherwise (live.stage/percent via `live`).
 */
export async function startShadowGateway(
  urls: { monolith: string; movies: string },
  settings: Partial<ShadowSettings>,
  options: { database?: Database; live?: { stage: 'shadow' | 'migrated'; percent: number }; breaker?: Record<string, number> } = {},
): Promise<ShadowGateway> {
  const config = loadGatewayConfig({ MONOLITH_URL: urls.monolith, MOVIES_SERVICE_URL: urls.movies, EVENTS_SERVICE_URL: urls.monolith });
  const raw = tableFromEnv(config) as { backends: Record<string, Record<string, unknown>> };
  Object.assign(raw.backends['movies']!, options.breaker ?? {});
  Object.assign(raw.backends['monolith']!, options.breaker ?? {});
  const table = validateRouteTable(raw);
  const index = table.routes.findIndex((r) => r.name === 'movies');
  const route = table.routes[index]!;
  const state = initialState(route, new Date())!;
  const { stage, percent } = options.live ?? { stage: 'shadow', percent: 0 };
  const live = { ...state, stage, percent, enabled: true, shadow: { ...state.shadow, percent: 100, ...settings } };
  // What the control plane does on a change: the route's entry swapped, decide() reading `migration`.
  table.routes[index] = { ...route, migration: { ...route.migration!, enabled: true, percent }, live };
  const gateway = await buildGateway({
    table,
    logger: quietLogger(),
    accessLog: false,
    ...(options.database ? { shadow: { database: options.database, replica: 'test' } } : {}),
  });
  const url = await listen(gateway.app, 0, '127.0.0.1');
  return { url, gateway, close: () => gateway.app.close() };
}
