// The admin API under test: a real admin server on a free port, over an in-memory control plane
// (what the store-backed one does, minus PostgreSQL) and fixed shadow/analysis reports.
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';
import { createLogger } from '@cinemaabyss/logging';
import { buildAdminApp, type AdminDeps } from '../../services/gateway/src/admin/app.ts';
import { parseAdminTokens } from '../../services/gateway/src/admin/tokens.ts';
import type { AuditEntry, ControlPlane, ShadowReporter, AnalysisReporter } from '../../services/gateway/src/control/ports.ts';
import { ChangeError, initialState, type MigrationState } from '../../services/gateway/src/control/state.ts';
import { unavailable, type App } from '@cinemaabyss/http';

export const TOKENS = {
  alice: 'alice-operator-token-0123456789',
  viewer: 'victor-viewer-token-0123456789',
};
export const TOKENS_ENV = `alice:operator:${TOKENS.alice},victor:viewer:${TOKENS.viewer}`;

/** A ControlPlane kept in memory: transitions, versions and the audit log as the real one keeps them. */
export class MemoryPlane implements ControlPlane {
  readonly states = new Map<string, MigrationState>();
  readonly entries: AuditEntry[] = [];
  /** The next `conflicts` changes fail with a version conflict (as one that persists after the retry). */
  conflicts = 0;
  #listeners: ((s: MigrationState) => void)[] = [];

  constructor(states: MigrationState[]) {
    this.reset(states);
  }
  /** Back to these states, with an empty audit log and no pending conflict. */
  reset(states: MigrationState[]) {
    this.states.clear();
    for (const s of states) this.states.set(s.route, s);
    this.entries.length = 0;
    this.conflicts = 0;
  }
  list() {
    return [...this.states.values()];
  }
  get(route: string) {
    return this.states.get(route);
  }
  async change(route: string, transition: (s: MigrationState, now: Date) => MigrationState, audit: Omit<AuditEntry, 'id' | 'at' | 'route' | 'old' | 'new'>) {
    const old = this.states.get(route);
    if (!old) throw new ChangeError('UNKNOWN_ROUTE', `unknown route ${route}`, 404);
    const next = transition(old, new Date());
    if (this.conflicts > 0) {
      this.conflicts--;
      throw new ChangeError('VERSION_CONFLICT', `route ${route} was changed meanwhile`, 409);
    }
    const entry: AuditEntry = { id: this.entries.length + 1, at: next.updatedAt, route, old, new: next, ...audit };
    this.states.set(route, next);
    this.entries.push(entry);
    for (const listener of this.#listeners) listener(next);
    return entry;
  }
  async audit(query: { route?: string; limit: number; before?: number }) {
    return this.entries
      .filter((e) => (query.route === undefined || e.route === query.route) && (query.before === undefined || e.id < query.before))
      .reverse()
      .slice(0, query.limit);
  }
  onChange(listener: (s: MigrationState) => void) {
    this.#listeners.push(listener);
  }
  async close() {}
}

export const movies = (): MigrationState =>
  initialState(
    {
      name: 'movies',
      prefix: '/api/movies',
      backend: 'monolith',
      migration: { to: 'movies', enabled: true, percent: 10, mode: 'sticky', fallback: true },
    } as never,
    new Date('2026-01-01T00:00:00Z'),
  )!;

export const shadowReport: ShadowReporter = {
  report: async (route) => ({
    matchRate: 0.75,
    endpoints: [{ endpoint: 'GET /api/movies id', compared: 4, matched: 3, mismatched: 1, noise: 0, dropped: 0, errors: 0, noisy: [] }],
    mismatches: [
      {
        at: '2026-01-01T00:00:00.000Z',
        route,
        endpoint: 'GET /api/movies id',
        request: { method: 'GET', path: '/api/movies?id=1', headers: {} },
        primary: { backend: 'monolith', status: 200 },
        shadow: { backend: 'movies', status: 200 },
        diff: [{ pointer: '/title', old: 'Alien', new: 'Aliens' }],
      },
    ],
  }),
};

export const analysisReport: AnalysisReporter = {
  report: async (route) => [
    {
      route,
      windowStart: '2026-01-01T00:00:00.000Z',
      windowSeconds: 60,
      verdict: 'fail',
      checks: [{ name: 'error_rate', value: 0.2, threshold: 0.01, ok: false }],
      counts: { movies: { requests: 100, errors: 20, p99Ms: 12 }, monolith: { requests: 900, errors: 0, p99Ms: 10 } },
    },
  ],
};

/** A traffic sampler's view with one point per series. */
export const trafficView: AdminDeps['traffic'] = {
  view: () => ({
    intervalMs: 1000,
    keep: 300,
    series: [{ route: 'movies', backend: 'movies', points: [{ at: '2026-01-01T00:00:00.000Z', rps: 4, errorRate: 0.25, p50Ms: 2, p99Ms: 9 }] }],
    backends: [{ name: 'movies', breaker: 'open', active: 0, pending: 0 }],
  }),
};

/** An events service that is down: what the gateway relays then. */
export const eventsDown: AdminDeps['events'] = {
  view: () => Promise.reject(unavailable('the events service is unreachable (test)')),
  replay: () => Promise.reject(unavailable('the events service is unreachable (test)')),
};

export interface AdminUnderTest {
  app: App;
  url: string;
  plane: MemoryPlane;
  close(): Promise<void>;
}

export async function startAdmin(deps: Partial<AdminDeps> & { consoleRoot?: string } = {}): Promise<AdminUnderTest> {
  const plane = (deps.plane as MemoryPlane | undefined) ?? new MemoryPlane([movies()]);
  const app = await buildAdminApp({
    plane,
    shadow: deps.shadow ?? shadowReport,
    analysis: deps.analysis ?? analysisReport,
    backends:
      deps.backends ??
      new Map([
        ['monolith', { breaker: { state: () => 'closed' as const } }],
        ['movies', { breaker: { state: () => 'open' as const } }],
      ]),
    traffic: deps.traffic ?? trafficView,
    events: deps.events ?? eventsDown,
    ...(deps.consoleRoot !== undefined ? { consoleRoot: deps.consoleRoot } : {}),
    tokens: parseAdminTokens(TOKENS_ENV).tokens,
    logger: createLogger('admin-test', { level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, plane, close: () => app.close() };
}

/** A JSON request to the admin API; `token` undefined sends no Authorization header. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
}

/** One admin server for the test file, its plane back to the starting `movies` route before each test. */
export function adminForEachTest(): () => AdminUnderTest {
  let admin: AdminUnderTest | undefined;
  before(async () => {
    admin = await startAdmin();
  });
  after(() => admin?.close());
  beforeEach(() => admin!.plane.reset([movies()]));
  return () => admin!;
}
