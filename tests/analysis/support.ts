// Helpers for the analysis suites: a fault-injecting proxy in front of the movies service, bounded
// load, and gateway replicas with analysis on one database.
import { createServer, request, type Server } from 'node:http';
import { after, before } from 'node:test';
import { migrate, type Database } from '@cinemaabyss/db';
import { buildGateway, createStateStore, gatewayMigrations, validateRouteTable, type Analysis, type RouteTable } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import type { AuditEntry, ControlPlane } from '../../services/gateway/src/control/ports.ts';
import { applyChanges } from '../../services/gateway/src/control/state.ts';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { quietLogger, startStack, type Stack } from '../support/stack.ts';

export async function migrateGateway(database: Database): Promise<void> {
  await migrate(database, gatewayMigrations);
}

export type Fault = { kind: 'none' } | { kind: 'fail'; status: number } | { kind: 'slow'; ms: number };

export interface FaultProxy {
  url: string;
  fault: Fault;
  close(): Promise<void>;
}

/** Passes every request on to `target`, or fails it, or delays it, as `fault` says at the time. */
export async function faultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const proxy: FaultProxy = { url: '', fault: { kind: 'none' }, close: async () => {} };
  const forward = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server: Server = createServer((req, res) => {
    const fault = proxy.fault;
    if (fault.kind === 'fail') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"injected fault"}');
    } else if (fault.kind === 'slow') setTimeout(() => forward(req, res), fault.ms);
    else forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  proxy.url = `http://127.0.0.1:${address.port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()).closeAllConnections());
  return proxy;
}

/** GETs `path` round-robin over `urls` with `concurrency` clients until `done()` or `max` requests. */
export async function load(urls: string[], path: string, options: { done: () => boolean; max: number; concurrency?: number }): Promise<number> {
  let sent = 0;
  const client = async (): Promise<void> => {
    while (!options.done() && sent < options.max) {
      const url = urls[sent++ % urls.length]!;
      const response = await fetch(`${url}${path}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, client));
  return sent;
}

/**
 * The movies route: the monolith, migrating to the movies service (behind the fault proxy). Its
 * breaker stays closed, so the new backend's errors are exactly the injected ones (an ejection
 * would keep failing its requests over to the monolith for a while after the fault ends).
 */
export function moviesTable(monolith: string, movies: string): RouteTable {
  return validateRouteTable({
    backends: { monolith: { url: monolith }, movies: { url: movies, consecutiveFailures: 1000 } },
    routes: [
      { name: 'movies', prefix: '/api/movies', backend: 'monolith', migration: { to: 'movies', mode: 'random' } },
      { name: 'monolith', prefix: '/', backend: 'monolith' },
    ],
  });
}

export interface Replica {
  url: string;
  plane: ControlPlane;
  analysis: Analysis;
  close(): Promise<void>;
}

/** A gateway replica with its own state store and analysis (flushing and deciding every 100 ms) on `database`. */
export async function startReplica(database: Database, table: RouteTable, replicaId: string): Promise<Replica> {
  const logger = quietLogger();
  const { app, analysis, plane } = await buildGateway({
    table,
    logger,
    accessLog: false,
    store: await createStateStore(database, logger),
    refreshMs: 200,
    analysis: { database, replicaId, intervalMs: 100, graceMs: 400 },
  });
  const url = await listen(app, 0, '127.0.0.1');
  return { url, plane: plane!, analysis: analysis!, close: () => app.close() };
}

export interface AnalysisStack {
  db: TestDatabase;
  stack: Stack;
  /** In front of the movies service: what the gateway knows as backend `movies`. */
  faulty: FaultProxy;
  /** Two on PostgreSQL (each with its own connections, as two processes would have); one on PGlite. */
  replicas: Replica[];
}

/** The suite's stack: a fresh database, the monolith and movies services, the fault proxy, the replicas. */
export function setupAnalysisStack(): AnalysisStack {
  const context = { replicas: [] as Replica[] } as AnalysisStack;
  before(async () => {
    context.db = await freshDatabase();
    await migrateGateway(context.db.database);
    context.stack = await startStack(context.db.database);
    context.faulty = await faultProxy(context.stack.movies);
    const handles = backend() === 'postgres' ? [context.db.database, await context.db.reopen()] : [context.db.database];
    for (const [i, handle] of handles.entries()) {
      context.replicas.push(await startReplica(handle, moviesTable(context.stack.monolith, context.faulty.url), `replica-${i}`));
    }
  });
  after(async () => {
    for (const r of context.replicas) await r.close();
    await context.faulty?.close();
    await context.stack?.close();
    await context.db?.drop();
  });
  return context;
}

/** A person's change of the movies route (what the admin API does). */
export function configure(replica: Replica, changes: Record<string, unknown>, reason: string): Promise<AuditEntry> {
  return replica.plane.change('movies', (s, now) => applyChanges(s, changes, now), {
    actor: { kind: 'person', label: 'test-operator' },
    action: 'set',
    reason,
  });
}

/** Load on every replica while `during` runs (bounded in count), stopped when it ends. */
export async function underLoad<T>(replicas: Replica[], during: () => Promise<T>, concurrency = 4): Promise<T> {
  let stop = false;
  const traffic = load(
    replicas.map((r) => r.url),
    '/api/movies',
    { done: () => stop, max: 200_000, concurrency },
  );
  try {
    return await during();
  } finally {
    stop = true;
    await traffic;
  }
}

/** Waits for the analysis's rollback of the movies route and returns its audit entry. */
export async function awaitRollback(replica: Replica): Promise<AuditEntry> {
  const find = async () => (await replica.plane.audit({ route: 'movies', limit: 20 })).find((e) => e.action === 'rollback');
  await eventually(async () => (await find()) !== undefined, 30_000, 'an automatic rollback');
  return (await find())!;
}
