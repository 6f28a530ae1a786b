import type { Logger } from '@cinemaabyss/logging';
import type { GatewayMetrics } from '../metrics.ts';
import type { RouteSpec, RouteTable } from '../routing/table.ts';
import type { ControlPlane, StateStore } from './ports.ts';
import { ChangeError, STAGES, effectivePercent, initialState, type MigrationState } from './state.ts';

export interface PlaneOptions {
  table: RouteTable;
  store: StateStore;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Re-read of every stored state, so a missed notification cannot leave this replica behind. */
  refreshMs: number;
  now?: () => Date;
}

export interface LiveControlPlane extends ControlPlane {
  /** Reads the stored states and applies the newer ones (what notifications and the timer call). */
  refresh(): Promise<void>;
}

/** What decide() reads: the effective split (kill switch, stage and pause already folded in). */
function routeFor(route: RouteSpec, state: MigrationState): RouteSpec {
  const percent = effectivePercent(state);
  return {
    ...route,
    migration: { to: state.to, enabled: state.enabled && !state.killed, percent, mode: state.mode, fallback: state.fallback },
    live: state,
  };
}

// The fields the environment (or GATEWAY_CONFIG) sets: a stored state that differs is worth a log line.
const fromEnvironment = (s: MigrationState) => JSON.stringify([s.enabled, s.percent, s.mode, s.fallback]);

/**
 * One replica's control plane. It applies a state by replacing the route's object in the live
 * route table: the data plane reads `table.routes` per request, so the next request sees the
 * new split, with no lock and nothing added per request.
 */
export async function startControlPlane(options: PlaneOptions): Promise<LiveControlPlane> {
  const { table, store, metrics, logger } = options;
  const now = options.now ?? (() => new Date());
  const states = new Map<string, MigrationState>();
  const listeners: ((state: MigrationState) => void)[] = [];

  /** The backends of each migrated route: configuration (the route table), never taken from a stored state. */
  const backends = new Map<string, { from: string; to: string }>();

  const apply = (stored: MigrationState): void => {
    const i = table.routes.findIndex((r) => r.name === stored.route);
    const configured = backends.get(stored.route);
    if (i < 0 || !configured) return; // a route this replica's table does not migrate
    const state = { ...stored, ...configured };
    states.set(state.route, state);
    table.routes[i] = routeFor(table.routes[i]!, state);
    metrics.migrationPercent.set({ route: state.route, to: state.to }, effectivePercent(state));
    for (const stage of STAGES) metrics.migrationStage.set({ route: state.route, stage }, stage === state.stage ? 1 : 0);
    metrics.migrationPaused.set({ route: state.route }, state.paused ? 1 : 0);
  };
  const newer = (state: MigrationState): boolean => {
    const current = states.get(state.route);
    if (!current || state.version <= current.version) return false;
    apply(state);
    for (const listener of listeners) listener(states.get(state.route)!);
    return true;
  };

  const stored = await store.load();
  for (const route of table.routes) {
    const initial = initialState(route, now());
    if (!initial) continue;
    backends.set(route.name, { from: initial.from, to: initial.to });
    const saved = stored.get(route.name);
    if (saved && fromEnvironment(saved) !== fromEnvironment(initial)) {
      logger.info({ route: route.name, stored: saved, environment: initial }, 'stored migration state differs from the environment; the stored state applies');
    }
    apply(saved ?? initial);
  }

  const reload = async (): Promise<void> => {
    for (const state of (await store.load()).values()) newer(state);
  };
  // One read at a time; a call during a read queues one more, which starts after it (a read that
  // began before a change committed may not see it).
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    if (queued) return queued;
    if (running) {
      return (queued = running
        .catch(() => {})
        .then(() => {
          queued = undefined;
          return refresh();
        }));
    }
    return (running = reload().finally(() => (running = undefined)));
  };
  const refreshLogged = () => refresh().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the migration states; will retry'));
  store.onNotify(() => void refreshLogged());
  const timer = setInterval(() => void refreshLogged(), options.refreshMs);
  timer.unref();

  return {
    list: () => [...states.values()],
    get: (route) => states.get(route),
    refresh,
    async change(route, transition, audit) {
      for (let attempt = 0; ; attempt++) {
        const current = states.get(route);
        if (!current) throw new ChangeError('UNKNOWN_ROUTE', `no migrated route named ${route}`, 404);
        const next = transition(current, now());
        try {
          const entry = await store.save(next, current, audit);
          newer(next);
          return entry;
        } catch (error) {
          if (attempt > 0 || !(error instanceof ChangeError) || error.code !== 'VERSION_CONFLICT') throw error;
          await refresh(); // another replica changed it: apply the transition to the latest state once more
        }
      }
    },
    audit: (query) => store.audit(query),
    onChange(listener) {
      listeners.push(listener);
    },
    async close() {
      clearInterval(timer);
      await Promise.allSettled([running, queued]);
      await store.close();
    },
  };
}
