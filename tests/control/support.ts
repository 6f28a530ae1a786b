// Helpers for the control-plane suites: a fresh database with the gateway's tables, and gateway
// replicas on it (each with its own state store, as separate processes would have).
import { migrate, type Database } from '@cinemaabyss/db';
import { buildGateway, createStateStore, gatewayMigrations, validateRouteTable, type LiveControlPlane, type StateStore } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { quietLogger } from '../support/stack.ts';

export async function gatewayDatabase(): Promise<TestDatabase> {
  const test = await freshDatabase({ seed: false });
  await migrate(test.database, gatewayMigrations);
  return test;
}

/** old (the route's backend) and new (its migration target) behind route `movies`, catch-all to old. */
export function migrationTable(oldUrl: string, newUrl: string, migration: Record<string, unknown> = {}): unknown {
  return {
    backends: { old: { url: oldUrl }, new: { url: newUrl } },
    routes: [
      { name: 'movies', prefix: '/api/movies', backend: 'old', migration: { to: 'new', mode: 'random', ...migration } },
      { name: 'rest', prefix: '/', backend: 'old' },
    ],
  };
}

export interface Replica {
  url: string;
  plane: LiveControlPlane;
  store: StateStore;
  /** The `movies` route as the data plane sees it now. */
  route(): ReturnType<typeof validateRouteTable>['routes'][number];
  close(): Promise<void>;
}

/**
 * A gateway replica with its own store on `database`. `deaf`: it never hears notifications (its
 * listener is gone), so only the periodic re-read can bring it up to date.
 */
export async function startReplica(database: Database, table: unknown, options: { refreshMs?: number; deaf?: boolean } = {}): Promise<Replica> {
  const logger = quietLogger();
  const real = await createStateStore(database, logger);
  const store: StateStore = options.deaf ? { ...real, onNotify: () => {} } : real;
  const routes = validateRouteTable(table);
  const { app, plane } = await buildGateway({ table: routes, logger, store, refreshMs: options.refreshMs ?? 60_000, random: Math.random });
  const url = await listen(app, 0, '127.0.0.1');
  return {
    url,
    plane: plane!,
    store,
    route: () => routes.routes.find((r) => r.name === 'movies')!,
    close: () => app.close(),
  };
}

export const person = { kind: 'person', label: 'test-operator' } as const;

/** Which backend answered a GET through the gateway. */
export async function servedBy(url: string, path = '/api/movies'): Promise<string> {
  const response = await fetch(`${url}${path}`);
  await response.arrayBuffer();
  return response.headers.get('x-echo-server') ?? `status ${response.status}`;
}
