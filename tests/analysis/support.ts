// Helpers for the analysis suites: a fault-injecting proxy in front of the movies service, bounded
// load, and gateway replicas with analysis on one database.
import { createServer, request, type Server } from 'node:http';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { and, desc, eq } from 'drizzle-orm';
import { migrate, type Database } from '@cinemaabyss/db';
import { buildGateway, validateRouteTable, type Analysis, type RouteTable } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import type { AuditEntry, ChangeAction, ControlPlane } from '../../services/gateway/src/control/ports.ts';
import { applyChanges, ChangeError, effectivePercent, initialState, type MigrationState } from '../../services/gateway/src/control/state.ts';
import { audit, migrations } from '../../services/gateway/src/control/store/schema.ts';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { quietLogger, startStack, type Stack } from '../support/stack.ts';

export const gatewayMigrations = { folder: fileURLToPath(new URL('../../services/gateway/migrations', import.meta.url)), table: '__gateway_migrations' };

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

// A minimal control plane on gateway.migrations and gateway.audit (compare-and-set, re-read every
// 100 ms), standing in for helper "store"'s plane until it is on main.
export async function testPlane(database: Database, table: RouteTable): Promise<ControlPlane> {
  const { db } = database;
  const states = new Map<string, MigrationState>();
  const listeners: ((s: MigrationState) => void)[] = [];
  const apply = (s: MigrationState): void => {
    states.set(s.route, s);
    const i = table.routes.findIndex((r) => r.name === s.route);
    const r = table.routes[i]!;
    table.routes[i] = { ...r, migration: { to: s.to, enabled: s.enabled && !s.killed, percent: effectivePercent(s), mode: s.mode, fallback: s.fallback }, live: s };
    for (const listener of listeners) listener(s);
  };
  for (const r of table.routes) {
    const s = initialState(r, new Date());
    if (s) apply(s);
  }
  const reload = async (): Promise<void> => {
    for (const row of await db.select().from(migrations)) {
      const s = row.state as MigrationState;
      if (s.version > (states.get(s.route)?.version ?? -1)) apply(s);
    }
  };
  const timer = setInterval(() => void reload().catch(() => {}), 100);
  const entryOf = (row: typeof audit.$inferSelect): AuditEntry => ({
    id: row.id,
    at: row.at.toISOString(),
    actor: { kind: row.actorKind as 'person' | 'analysis', label: row.actorLabel },
    route: row.route,
    action: row.action as ChangeAction,
    old: row.old as MigrationState,
    new: row.new as MigrationState,
    reason: row.reason,
  });
  return {
    list: () => [...states.values()],
    get: (route) => states.get(route),
    async change(route, transition, { actor, action, reason }) {
      await reload();
      const current = states.get(route)!;
      const next = transition(current, new Date());
      const entry = await db.transaction(async (tx) => {
        const values = { route, state: next, version: next.version, updatedAt: new Date(next.updatedAt) };
        const written =
          current.version === 0
            ? await tx.insert(migrations).values(values).onConflictDoNothing().returning()
            : await tx.update(migrations).set(values).where(and(eq(migrations.route, route), eq(migrations.version, current.version))).returning();
        if (written.length === 0) throw new ChangeError('VERSION_CONFLICT', 'changed meanwhile', 409);
        const [row] = await tx.insert(audit).values({ actorKind: actor.kind, actorLabel: actor.label, route, action, old: current, new: next, reason }).returning();
        return entryOf(row!);
      });
      apply(next);
      return entry;
    },
    async audit({ route, limit }) {
      const rows = await db.select().from(audit).where(route ? eq(audit.route, route) : undefined).orderBy(desc(audit.id)).limit(limit);
      return rows.map(entryOf);
    },
    onChange: (listener) => void listeners.push(listener),
    close: async () => clearInterval(timer),
  };
}

export interface Replica {
  url: string;
  plane: ControlPlane;
  analysis: Analysis;
  close(): Promise<void>;
}

/** A gateway replica with analysis (flushing and deciding every 100 ms) on its own handle of the database. */
export async function startReplica(database: Database, table: RouteTable, replicaId: string): Promise<Replica> {
  const { app, analysis } = await buildGateway({
    table,
    logger: quietLogger(),
    accessLog: false,
    analysis: { database, replicaId, intervalMs: 100, graceMs: 400 },
  });
  const plane = await testPlane(database, table);
  analysis!.start(plane);
  const url = await listen(app, 0, '127.0.0.1');
  return {
    url,
    plane,
    analysis: analysis!,
    close: async () => {
      await app.close();
      await plane.close();
    },
  };
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
  return replica.plane.change('movies', (s, now) => applyChanges(s, changes, now), { actor: { kind: 'person', label: 'test-operator' }, action: 'set', reason });
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
