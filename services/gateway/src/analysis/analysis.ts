// The analysis of one replica: its counter in the data plane, a loop that flushes the closed
// windows to the database and, on the elected replica only, judges each closed window over every
// replica's rows and rolls the route back or promotes it through the control plane, as a person
// would (an audited state change every replica follows).
import type { Database } from '@cinemaabyss/db';
import type { Logger } from '@cinemaabyss/logging';
import type { Actor, AnalysisReporter, ControlPlane } from '../control/ports.ts';
import { ChangeError, promote, rollback, type MigrationState } from '../control/state.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { leadership } from './leadership.ts';
import { pruneCounts, readCounts, recentVerdicts, saveVerdict, writeCounts } from './records.ts';
import { judge, nextMove, totalsByBackend } from './verdict.ts';
import { WindowCounter, windowStartOf, type WindowCounts } from './window.ts';

export interface AnalysisOptions {
  database: Database;
  /** This replica's name in gateway.analysis_counts. */
  replicaId: string;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Injected for tests (epoch ms). */
  now?: () => number;
  /** How often the replica flushes and, when elected, decides (default 1000 ms). */
  intervalMs?: number;
  /** How long after a window ends the leader waits for the other replicas' rows (default 2 intervals + 1 s). */
  graceMs?: number;
}

export interface Analysis {
  /** The data plane's observer (ProxyDeps.observer) and shadow comparison's counter (recordShadow). */
  counter: WindowCounter;
  reporter: AnalysisReporter;
  /** Starts the loop; decisions go through `plane`. */
  start(plane: ControlPlane): void;
  /** One round now: flush, then judge and decide if elected (the loop calls it; tests too). */
  tick(): Promise<void>;
  /** Stops the loop, flushes what was counted, gives up the leadership. */
  close(): Promise<void>;
}

const ACTOR: Actor = { kind: 'analysis', label: 'analysis' };
/** After an outage the leader judges at most this many of a route's past windows. */
const CATCH_UP_WINDOWS = 10;
/** Unflushed rows kept while the database is down; older ones are dropped. */
const MAX_PENDING_ROWS = 10_000;
/** Counts older than this are deleted by the leader (hourly): every window is judged long before. */
const KEEP_COUNTS_MS = 24 * 3600_000;

/** Thrown by a decision's transition when the state moved since it was judged: that decision is void. */
class Stale extends ChangeError {
  constructor(route: string) {
    super('INVALID_TRANSITION', `route ${route} changed since its windows were judged`, 409);
  }
}

export function createAnalysis(options: AnalysisOptions): Analysis {
  const { database, replicaId, metrics, logger } = options;
  const { db } = database;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const graceMs = options.graceMs ?? 2 * intervalMs + 1000;
  const counter = new WindowCounter(now);
  const lead = leadership(database);
  let plane: ControlPlane | undefined;
  let pending: WindowCounts[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let prunedAt = 0;
  /** The last window judged per route, while this replica leads (saves a query per route and round). */
  const judged = new Map<string, number>();

  const flush = async (rows: WindowCounts[]): Promise<void> => {
    pending = pending.concat(rows).slice(-MAX_PENDING_ROWS);
    if (pending.length === 0) return;
    await writeCounts(db, replicaId, pending);
    pending = [];
  };

  /** Judges the route's closed windows not judged yet, then makes the move their run calls for. */
  const evaluate = async (state: MigrationState): Promise<void> => {
    const route = state.route;
    const ms = state.analysis.windowSeconds * 1000;
    const last = windowStartOf(now() - graceMs, state.analysis.windowSeconds) - ms;
    if ((judged.get(route) ?? -Infinity) >= last) return;
    const [latest] = await recentVerdicts(db, route, 1);
    let first = Math.max(last - (CATCH_UP_WINDOWS - 1) * ms, windowStartOf(Date.parse(state.updatedAt), state.analysis.windowSeconds));
    if (latest) first = Math.max(first, Date.parse(latest.windowStart) + ms);
    judged.set(route, last);
    if (first > last) return;
    for (let start = first; start <= last; start += ms) {
      const verdict = judge(state, start, totalsByBackend(await readCounts(db, route, start)));
      await saveVerdict(db, verdict);
      metrics.analysisVerdicts.inc({ route, verdict: verdict.verdict });
    }
    // Only windows wholly under the current state count: a change starts a new run.
    const move = nextMove(state, await recentVerdicts(db, route, 100, new Date(state.updatedAt)));
    if (!move) return;
    const transition =
      move.action === 'rollback'
        ? (s: MigrationState, at: Date) => (s.version === state.version ? rollback(s, move.reason, at) : fail(new Stale(route)))
        : (s: MigrationState, at: Date) => (s.version === state.version ? promote(s, at) : fail(new Stale(route)));
    try {
      const entry = await plane!.change(route, transition, { actor: ACTOR, action: move.action, reason: move.reason });
      if (move.action === 'rollback') {
        for (const check of move.checks) metrics.migrationRollbacks.inc({ route, check });
        logger.warn({ route, reason: move.reason, percent: entry.new.percent, stage: entry.new.stage }, 'analysis rolled the migration back');
      } else {
        logger.info({ route, reason: move.reason, percent: entry.new.percent, stage: entry.new.stage }, 'analysis promoted the migration');
      }
    } catch (error) {
      if (!(error instanceof ChangeError)) throw error;
      logger.info({ route, action: move.action, err: error.message }, 'analysis decision not applied');
    }
  };

  const round = async (): Promise<void> => {
    await flush(counter.drain());
    if (!plane) return;
    if (!(await lead.held())) return judged.clear(); // another replica judges meanwhile
    for (const state of plane.list()) {
      if (state.analysis.enabled) await evaluate(state);
    }
    if (now() - prunedAt > 3600_000) {
      prunedAt = now();
      await pruneCounts(db, new Date(prunedAt - KEEP_COUNTS_MS));
    }
  };

  const tick = (): Promise<void> => (running ??= round().finally(() => (running = undefined)));

  const loop = (): void => {
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => logger.warn({ err: error }, 'analysis round failed; will retry'))
        .finally(() => closed || loop());
    }, intervalMs);
    timer.unref();
  };

  return {
    counter,
    reporter: { report: (route, limit) => recentVerdicts(db, route, limit) },
    start(p) {
      plane = p;
      loop();
    },
    tick,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => {});
      await flush(counter.drain(true)).catch((error: unknown) => logger.warn({ err: error }, 'analysis counts not flushed at shutdown'));
      await lead.release();
    },
  };
}

function fail(error: Error): never {
  throw error;
}
