// The rules of the analysis, pure: a window's verdict from the counts of every replica, and the
// move (rollback, promotion or none) a run of verdicts calls for.
import type { WindowVerdict } from '../control/ports.ts';
import { effectivePercent, rollback, type MigrationState } from '../control/state.ts';
import { addBuckets, p99 } from './histogram.ts';
import type { WindowCounts } from './window.ts';

export type Totals = Omit<WindowCounts, 'route' | 'windowStart' | 'backend'>;
type Check = WindowVerdict['checks'][number];

const empty = (): Totals => ({ requests: 0, errors: 0, latency: [], shadowCompared: 0, shadowMismatched: 0, shadowNoise: 0 });

/** Every replica's rows of one window, added up per backend. */
export function totalsByBackend(rows: Iterable<WindowCounts>): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const row of rows) {
    let t = totals.get(row.backend);
    if (!t) totals.set(row.backend, (t = empty()));
    t.requests += row.requests;
    t.errors += row.errors;
    addBuckets(t.latency, row.latency);
    t.shadowCompared += row.shadowCompared;
    t.shadowMismatched += row.shadowMismatched;
    t.shadowNoise += row.shadowNoise;
  }
  return totals;
}

const round = (n: number | null): number | null => (n === null ? null : Math.round(n * 10_000) / 10_000);
const above = (name: Check['name'], value: number | null, threshold: number): Check => ({
  name,
  value: round(value),
  threshold,
  ok: value === null ? null : value <= threshold,
});

/**
 * One window of a route. Before traffic moves (stage shadow) the sample is the shadow comparisons
 * and only their mismatch rate is judged; afterwards the new backend's own requests. A window with
 * fewer than minRequests is inconclusive whatever its rates; a check that cannot be computed (the
 * old backend had no requests to compare p99 with) makes it inconclusive unless another fails.
 */
export function judge(state: MigrationState, windowStart: number, totals: Map<string, Totals>): WindowVerdict {
  const a = state.analysis;
  const fresh = totals.get(state.to) ?? empty();
  const old = totals.get(state.from) ?? empty();
  const shadowOnly = state.stage === 'shadow' || state.stage === 'off';
  const sample = shadowOnly ? fresh.shadowCompared : fresh.requests;
  const checks: Check[] = [{ name: 'requests', value: sample, threshold: a.minRequests, ok: sample >= a.minRequests }];
  if (!shadowOnly) {
    checks.push(above('error_rate', fresh.requests > 0 ? fresh.errors / fresh.requests : null, a.maxErrorRate));
    const newP99 = p99(fresh.latency);
    const oldP99 = p99(old.latency);
    checks.push(above('p99_ratio', newP99 !== null && oldP99 !== null ? newP99 / oldP99 : null, a.maxP99Ratio));
  }
  // Without comparisons (shadow off during a canary) there is nothing to judge: not a reason for doubt.
  const mismatch = fresh.shadowCompared > 0 ? fresh.shadowMismatched / fresh.shadowCompared : null;
  if (mismatch !== null || shadowOnly) checks.push(above('mismatch_rate', mismatch, a.maxMismatchRate));

  const verdict = !checks[0]!.ok ? 'inconclusive' : checks.some((c) => c.ok === false) ? 'fail' : checks.some((c) => c.ok === null) ? 'inconclusive' : 'pass';
  const counts: WindowVerdict['counts'] = {};
  for (const [backend, t] of totals) counts[backend] = { requests: t.requests, errors: t.errors, p99Ms: round(p99(t.latency)) };
  return { route: state.route, windowStart: new Date(windowStart).toISOString(), windowSeconds: a.windowSeconds, verdict, checks, counts };
}

/** Consecutive fails, newest first: a pass ends the run, an inconclusive window (too little traffic) neither ends nor extends it. */
export function failRun(newestFirst: readonly WindowVerdict[]): WindowVerdict[] {
  const run: WindowVerdict[] = [];
  for (const v of newestFirst) {
    if (v.verdict === 'pass') break;
    if (v.verdict === 'fail') run.push(v);
  }
  return run;
}

/** Consecutive passes, newest first: anything else (inconclusive included) ends the run. */
export function passRun(newestFirst: readonly WindowVerdict[]): number {
  let n = 0;
  while (n < newestFirst.length && newestFirst[n]!.verdict === 'pass') n++;
  return n;
}

export type Move = { action: 'rollback'; reason: string; checks: string[] } | { action: 'promote'; reason: string } | undefined;

const describe = (c: Check): string => `${c.name} ${c.value} > ${c.threshold}`;

/**
 * What the verdicts of the windows since the route's last change call for. Rollback: failWindows
 * consecutive fails while traffic (or shadow comparison) reaches the new backend, unless the
 * rollback would change nothing. Promotion: passWindows consecutive passes with autoPromote, never
 * while paused or killed (a rollback pauses: only a person resumes).
 */
export function nextMove(state: MigrationState, newestFirst: readonly WindowVerdict[]): Move {
  const a = state.analysis;
  if (!a.enabled || !state.enabled || state.killed || state.stage === 'off') return undefined;
  const fails = failRun(newestFirst);
  if (fails.length >= a.failWindows) {
    const failed = fails[0]!.checks.filter((c) => c.ok === false);
    const back = rollback(state, '', new Date(0));
    const changes = !state.paused || back.stage !== state.stage || effectivePercent(back) !== effectivePercent(state);
    if (changes) {
      const reason = `analysis: ${fails.length} consecutive failed windows (${failed.map(describe).join('; ')})`;
      return { action: 'rollback', reason, checks: failed.map((c) => c.name) };
    }
    return undefined;
  }
  if (a.autoPromote && !state.paused && state.stage !== 'migrated' && passRun(newestFirst) >= a.passWindows) {
    return { action: 'promote', reason: `analysis: ${a.passWindows} consecutive passed windows` };
  }
  return undefined;
}
