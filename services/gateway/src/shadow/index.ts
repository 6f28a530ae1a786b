// Shadow comparison, assembled: the data plane's mirror, this replica's stats, the mismatches'
// store (when the gateway has a database) and the report the admin API shows.
import type { Database } from '@cinemaabyss/db';
import type { Logger } from '@cinemaabyss/logging';
import type { ShadowReporter } from '../control/ports.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { Backend } from '../proxy/backend.ts';
import { Mirror } from './mirror.ts';
import { RING_SIZE, ShadowStats } from './stats.ts';
import { MismatchStore } from './store.ts';

export { SHADOW_HEADER, type ShadowTap } from './mirror.ts';
export type { ResultListener, ShadowResult } from './stats.ts';

export interface ShadowOptions {
  /** Mismatches are stored here for every replica to read (the control plane's database). */
  database?: Database | undefined;
  /** This replica's name in the stored rows. */
  replica?: string;
}

export interface Shadow {
  /** ProxyDeps.shadow. */
  mirror: Mirror;
  stats: ShadowStats;
  reporter: ShadowReporter;
  /** Writes the queued mismatches. */
  close(): Promise<void>;
}

export function createShadow(
  deps: { backends: Map<string, Backend>; metrics: GatewayMetrics; logger: Logger; random: () => number },
  options: ShadowOptions = {},
): Shadow {
  const logger = deps.logger.child({ component: 'shadow' });
  const stats = new ShadowStats(deps.metrics.shadowRequests);
  const store = options.database ? new MismatchStore({ database: options.database, replica: options.replica ?? 'gateway', logger }) : undefined;
  const mirror = new Mirror({ backends: deps.backends, stats, sink: store, random: deps.random, logger });
  const reporter: ShadowReporter = {
    async report(route) {
      const endpoints = stats.endpoints(route);
      const compared = endpoints.reduce((n, e) => n + e.compared, 0);
      const agreed = endpoints.reduce((n, e) => n + e.matched + e.noise, 0);
      // The database first, so every replica's mismatches show; this replica's ring without one.
      const mismatches = store ? await store.latest(route, RING_SIZE) : stats.recent(route);
      return { endpoints, mismatches, matchRate: compared > 0 ? agreed / compared : null };
    },
  };
  return { mirror, stats, reporter, close: async () => store?.close() };
}
