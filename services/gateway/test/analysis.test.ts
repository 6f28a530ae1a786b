import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowVerdict } from '../src/control/ports.ts';
import { initialState, rollback, type MigrationState } from '../src/control/state.ts';
import { BUCKETS, bucketBound, latencyBucket, p99 } from '../src/analysis/histogram.ts';
import { failRun, judge, nextMove, passRun, totalsByBackend } from '../src/analysis/verdict.ts';
import { WindowCounter, windowStartOf, type WindowCounts } from '../src/analysis/window.ts';
import type { RouteSpec } from '../src/routing/table.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function state(changes: Partial<MigrationState> = {}, analysis: Partial<MigrationState['analysis']> = {}): MigrationState {
  const route: RouteSpec = {
    name: 'movies',
    prefix: '/api/movies',
    backend: 'old',
    migration: { to: 'new', enabled: true, percent: 25, mode: 'random', fallback: true },
  };
  const s = initialState(route, new Date(T0))!;
  return {
    ...s,
    stage: 'canary',
    ...changes,
    analysis: { ...s.analysis, enabled: true, windowSeconds: 10, minRequests: 10, failWindows: 2, passWindows: 2, ...analysis },
  };
}

function routeWith(live: MigrationState): RouteSpec {
  return {
    name: live.route,
    prefix: '/api/movies',
    backend: live.from,
    migration: { to: live.to, enabled: true, percent: live.percent, mode: 'random', fallback: true },
    live,
  };
}

/** `n` requests of `seconds` each, `errors` of them 5xx. */
function row(backend: string, n: number, seconds: number, errors = 0, shadow: Partial<WindowCounts> = {}): WindowCounts {
  const latency = new Array<number>(BUCKETS).fill(0);
  latency[latencyBucket(seconds)] = n;
  return { route: 'movies', windowStart: T0, backend, requests: n, errors, latency, shadowCompared: 0, shadowMismatched: 0, shadowNoise: 0, ...shadow };
}

const verdictOf = (s: MigrationState, rows: WindowCounts[]) => judge(s, T0, totalsByBackend(rows));
const check = (v: WindowVerdict, name: string) => v.checks.find((c) => c.name === name);
const v = (verdict: WindowVerdict['verdict']): WindowVerdict => ({ route: 'movies', windowStart: '', windowSeconds: 10, verdict, checks: [], counts: {} });

describe('latency histogram', () => {
  test('buckets grow by 25 %, from 0.1 ms, the last one open-ended', () => {
    assert.equal(latencyBucket(0), 0);
    assert.equal(latencyBucket(0.00005), 0);
    assert.equal(latencyBucket(1000), BUCKETS - 1);
    for (const ms of [0.3, 1, 7, 42, 250, 3000]) {
      const i = latencyBucket(ms / 1000);
      assert.ok(bucketBound(i - 1) <= ms && ms <= bucketBound(i), `${ms} ms in bucket ${i}`);
    }
  });

  test('p99 is the bound of the bucket holding the 99th percentile', () => {
    const buckets = new Array<number>(BUCKETS).fill(0);
    assert.equal(p99(buckets), null);
    buckets[latencyBucket(0.002)] = 990;
    buckets[latencyBucket(0.5)] = 10;
    assert.equal(p99(buckets), bucketBound(latencyBucket(0.002)));
    buckets[latencyBucket(0.5)] = 11;
    assert.equal(p99(buckets), bucketBound(latencyBucket(0.5)));
    const ratio = p99([0, 0, 0, ...buckets.slice(0, -3)])! / p99(buckets)!;
    assert.ok(Math.abs(ratio - 1.25 ** 3) < 1e-9, 'three buckets up is 1.25³ slower');
  });
});

describe('window counter', () => {
  test('windows are aligned to the epoch', () => {
    assert.equal(windowStartOf(T0 + 12_345, 10), T0 + 10_000);
    assert.equal(windowStartOf(T0 + 59_999, 60), T0);
    assert.equal(windowStartOf(T0 + 60_000, 60), T0 + 60_000);
  });

  test('counts per backend and hands over only closed windows', () => {
    let now = T0 + 1000;
    const counter = new WindowCounter(() => now);
    const route = routeWith(state());
    counter.finished(route, 'new', 200, undefined, 0.01, 'random');
    counter.finished(route, 'new', 503, undefined, 0.01, 'random');
    counter.finished(route, 'old', 200, undefined, 0.002, 'random');
    counter.finished(route, 'new', 504, 'timeout', 5, 'random');
    counter.recordShadow(route, 'mismatched');
    counter.recordShadow(route, 'noise');
    counter.recordShadow(route, 'matched');
    assert.deepEqual(counter.drain(), [], 'the window is still open');
    now = T0 + 10_000;
    const rows = counter.drain();
    const fresh = rows.find((r) => r.backend === 'new')!;
    assert.deepEqual(
      {
        requests: fresh.requests,
        errors: fresh.errors,
        compared: fresh.shadowCompared,
        mismatched: fresh.shadowMismatched,
        noise: fresh.shadowNoise,
        windowStart: fresh.windowStart,
      },
      { requests: 3, errors: 2, compared: 3, mismatched: 1, noise: 1, windowStart: T0 },
    );
    assert.equal(rows.find((r) => r.backend === 'old')!.requests, 1);
    assert.equal(
      fresh.latency.reduce((a, b) => a + b),
      3,
    );
    assert.deepEqual(counter.drain(), [], 'handed over once');
  });

  test("a fallback is the new backend's error; client faults and routes without analysis count for nothing", () => {
    let now = T0;
    const counter = new WindowCounter(() => now);
    const route = routeWith(state());
    counter.finished(route, 'old', 200, 'connect', 0.01, 'fallback');
    counter.finished(route, 'old', 200, undefined, 0.01, 'breaker');
    counter.finished(route, 'new', 499, 'aborted', 0.01, 'random');
    counter.finished(route, 'new', 413, 'too-large', 0.01, 'random');
    counter.finished(routeWith(state({}, { enabled: false })), 'new', 500, undefined, 0.01, 'random');
    counter.finished({ ...route, live: undefined }, 'new', 500, undefined, 0.01, 'random');
    now = T0 + 10_000;
    const rows = counter.drain();
    assert.deepEqual(
      rows.map((r) => [r.backend, r.requests, r.errors]),
      [['new', 2, 2]],
    );
    assert.equal(
      rows[0]!.latency.reduce((a, b) => a + b),
      0,
      'the failed attempt has no latency of its own',
    );
  });

  test('drain(true) hands over the open window too (shutdown)', () => {
    const counter = new WindowCounter(() => T0);
    counter.finished(routeWith(state()), 'new', 200, undefined, 0.01, 'random');
    assert.equal(counter.drain(true).length, 1);
  });
});

describe('verdicts', () => {
  const healthy = [row('new', 100, 0.01), row('old', 300, 0.01)];

  test('a healthy window passes, with each check and its threshold', () => {
    const verdict = verdictOf(state(), healthy);
    assert.equal(verdict.verdict, 'pass');
    assert.deepEqual(
      verdict.checks.map((c) => [c.name, c.ok]),
      [
        ['requests', true],
        ['error_rate', true],
        ['p99_ratio', true],
      ],
    );
    assert.deepEqual(check(verdict, 'error_rate'), { name: 'error_rate', value: 0, threshold: 0.01, ok: true });
    assert.equal(verdict.counts['new']!.requests, 100);
  });

  test('rows of several replicas are added up', () => {
    const verdict = verdictOf(state(), [row('new', 6, 0.01), row('new', 6, 0.01), row('old', 5, 0.01)]);
    assert.equal(check(verdict, 'requests')!.value, 12);
    assert.equal(verdict.verdict, 'pass');
  });

  test('too few requests to the new backend is inconclusive, never a pass, even when rates fail', () => {
    assert.equal(verdictOf(state(), [row('new', 9, 0.01), row('old', 300, 0.01)]).verdict, 'inconclusive');
    assert.equal(verdictOf(state(), [row('new', 9, 0.01, 9), row('old', 300, 0.01)]).verdict, 'inconclusive');
  });

  test('error rate above its threshold fails', () => {
    const verdict = verdictOf(state({}, { maxErrorRate: 0.05 }), [row('new', 100, 0.01, 6), row('old', 300, 0.01)]);
    assert.equal(verdict.verdict, 'fail');
    assert.deepEqual(check(verdict, 'error_rate'), { name: 'error_rate', value: 0.06, threshold: 0.05, ok: false });
  });

  test('p99 ratio above its threshold fails; without old requests it is inconclusive', () => {
    const slow = verdictOf(state(), [row('new', 100, 0.05), row('old', 300, 0.01)]);
    assert.equal(slow.verdict, 'fail');
    assert.ok(check(slow, 'p99_ratio')!.value! > 2);
    const alone = verdictOf(state(), [row('new', 100, 0.05)]);
    assert.equal(alone.verdict, 'inconclusive');
    assert.deepEqual(check(alone, 'p99_ratio'), { name: 'p99_ratio', value: null, threshold: 2, ok: null });
    assert.equal(verdictOf(state(), [row('new', 100, 0.05, 50)]).verdict, 'fail', 'another failing check still fails it');
  });

  test('shadow mismatch rate fails; during shadow the comparisons are the sample', () => {
    const mismatching = { shadowCompared: 100, shadowMismatched: 5, shadowNoise: 10 };
    const canary = verdictOf(state(), [row('new', 100, 0.01, 0, mismatching), row('old', 300, 0.01)]);
    assert.equal(canary.verdict, 'fail');
    assert.deepEqual(check(canary, 'mismatch_rate'), { name: 'mismatch_rate', value: 0.05, threshold: 0.01, ok: false });
    const shadow = verdictOf(state({ stage: 'shadow', percent: 0 }), [row('new', 0, 0.01, 0, mismatching), row('old', 300, 0.01)]);
    assert.equal(shadow.verdict, 'fail');
    assert.deepEqual(
      shadow.checks.map((c) => c.name),
      ['requests', 'mismatch_rate'],
    );
    const quiet = verdictOf(state({ stage: 'shadow', percent: 0 }), [row('old', 300, 0.01)]);
    assert.equal(quiet.verdict, 'inconclusive');
  });
});

describe('runs and moves', () => {
  test('a fail run skips inconclusive windows and ends at a pass; a pass run ends at anything else', () => {
    assert.equal(failRun([v('fail'), v('inconclusive'), v('fail'), v('pass'), v('fail')]).length, 2);
    assert.equal(passRun([v('pass'), v('pass'), v('inconclusive'), v('pass')]), 2);
    assert.equal(passRun([v('inconclusive'), v('pass')]), 0);
  });

  const failed = (): WindowVerdict => ({ ...v('fail'), checks: [{ name: 'error_rate', value: 0.3, threshold: 0.01, ok: false }] });

  test('failWindows consecutive fails roll back, naming the failed check and its value', () => {
    assert.equal(nextMove(state(), [failed()]), undefined);
    const move = nextMove(state(), [failed(), failed()]);
    assert.equal(move?.action, 'rollback');
    assert.match(move!.reason, /error_rate 0\.3 > 0\.01/);
    assert.deepEqual(move?.action === 'rollback' && move.checks, ['error_rate']);
  });

  test('no rollback when it would change nothing (already paused at 0), nor while killed or off', () => {
    assert.equal(nextMove(state({ stage: 'shadow', percent: 0, paused: true }), [failed(), failed()]), undefined);
    assert.equal(nextMove(state({ killed: true }), [failed(), failed()]), undefined);
    assert.equal(nextMove(state({ stage: 'off' }), [failed(), failed()]), undefined);
    assert.equal(nextMove(state({ paused: true }), [failed(), failed()])?.action, 'rollback', 'paused is no forward move, a step back still happens');
  });

  test('passWindows consecutive passes promote with autoPromote, never while paused, killed or migrated', () => {
    const passes = [v('pass'), v('pass')];
    assert.equal(nextMove(state(), passes), undefined, 'autoPromote is off by default');
    assert.equal(nextMove(state({}, { autoPromote: true }), passes)?.action, 'promote');
    assert.equal(nextMove(state({}, { autoPromote: true }), [v('pass'), v('inconclusive'), v('pass')]), undefined);
    assert.equal(nextMove(state({ paused: true }, { autoPromote: true }), passes), undefined);
    assert.equal(nextMove(state({ killed: true }, { autoPromote: true }), passes), undefined);
    assert.equal(nextMove(state({ stage: 'migrated', percent: 100 }, { autoPromote: true }), passes), undefined);
  });
});

describe('rollback target', () => {
  test("rollbackTo 'previous' goes one canary step back (migrated: the last step), 'zero' to shadow at 0 %; both pause", () => {
    const at = new Date(T0 + 1000);
    const back = rollback(state({ percent: 25 }, { rollbackTo: 'previous' }), 'why', at);
    assert.deepEqual([back.stage, back.percent, back.paused, back.pausedReason], ['canary', 5, true, 'why']);
    const fromMigrated = rollback(state({ stage: 'migrated', percent: 100 }, { rollbackTo: 'previous' }), 'why', at);
    assert.deepEqual([fromMigrated.stage, fromMigrated.percent], ['canary', 50]);
    const first = rollback(state({ percent: 1 }, { rollbackTo: 'previous' }), 'why', at);
    assert.deepEqual([first.stage, first.percent], ['shadow', 0]);
    const zero = rollback(state({ percent: 25 }, { rollbackTo: 'zero' }), 'why', at);
    assert.deepEqual([zero.stage, zero.percent, zero.paused], ['shadow', 0, true]);
  });
});
