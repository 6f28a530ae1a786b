import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Breaker } from '../src/resilience/breaker.ts';
import type { BreakerOptions, BreakerState } from '../src/resilience/breaker.ts';

const BASE = 30_000;
const MAX = 100_000;

function setup(overrides: Partial<BreakerOptions> = {}) {
  const clock = { t: 0 };
  const transitions: string[] = [];
  const breaker = new Breaker({
    consecutiveFailures: 3,
    baseEjectionMs: BASE,
    maxEjectionMs: MAX,
    halfOpenProbes: 1,
    now: () => clock.t,
    onStateChange: (from: BreakerState, to: BreakerState) => transitions.push(`${from}->${to}`),
    ...overrides,
  });
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) breaker.admit()!.failure();
  };
  return { clock, breaker, transitions, fail };
}

test('opens after exactly N consecutive failures', () => {
  const { breaker, fail } = setup();
  fail(2);
  assert.equal(breaker.state(), 'closed');
  breaker.admit()!.failure(); // third
  assert.equal(breaker.state(), 'open');
  assert.equal(breaker.admit(), undefined);
  assert.equal(breaker.ejections(), 1);
});

test('a success in between resets the count', () => {
  const { breaker, fail } = setup();
  fail(2);
  breaker.admit()!.success();
  fail(2);
  assert.equal(breaker.state(), 'closed');
  fail(1);
  assert.equal(breaker.state(), 'open');
});

test('stays open for base time; half-open admits exactly halfOpenProbes; probe success closes', () => {
  const { clock, breaker, fail } = setup({ halfOpenProbes: 2 });
  fail(3);
  clock.t = BASE - 1;
  assert.equal(breaker.state(), 'open');
  assert.equal(breaker.admit(), undefined);
  clock.t = BASE;
  assert.equal(breaker.state(), 'half-open');
  const p1 = breaker.admit();
  const p2 = breaker.admit();
  assert.ok(p1 && p2);
  assert.equal(breaker.admit(), undefined);
  p1.success();
  assert.equal(breaker.state(), 'closed');
  assert.equal(breaker.ejections(), 1); // kept: next ejection is longer
  p2.failure(); // stale probe: must not reopen
  assert.equal(breaker.state(), 'closed');
  fail(3); // second ejection lasts 2× base
  clock.t += 2 * BASE - 1;
  assert.equal(breaker.state(), 'open');
  clock.t += 1;
  assert.equal(breaker.state(), 'half-open');
});

test('probe failure re-opens with 2× then 3× base, capped at max', () => {
  const { clock, breaker, fail } = setup();
  const expectEjection = (duration: number) => {
    const openedAt = clock.t;
    clock.t = openedAt + duration - 1;
    assert.equal(breaker.state(), 'open');
    clock.t = openedAt + duration;
    assert.equal(breaker.state(), 'half-open');
  };
  fail(3);
  expectEjection(BASE);
  for (const [i, duration] of [2 * BASE, 3 * BASE, MAX, MAX].entries()) {
    breaker.admit()!.failure();
    assert.equal(breaker.ejections(), i + 2);
    expectEjection(duration);
  }
});

test('ejection count decays to 0 after staying closed for maxEjectionMs', () => {
  const { clock, breaker, fail } = setup();
  fail(3);
  clock.t = BASE;
  breaker.admit()!.success();
  clock.t += MAX - 1;
  assert.equal(breaker.ejections(), 1);
  fail(1); // sub-threshold failures do not interrupt "closed"
  clock.t += 1;
  assert.equal(breaker.ejections(), 0);
  breaker.admit()!.success();
  fail(3);
  const openedAt = clock.t;
  clock.t = openedAt + BASE;
  assert.equal(breaker.state(), 'half-open'); // back to base duration
});

test('late tickets from an older generation are ignored', () => {
  const { clock, breaker, fail } = setup();
  const lateFail = breaker.admit()!;
  const lateOk = breaker.admit()!;
  const lateHalfOpen = breaker.admit()!;
  fail(3);
  assert.equal(breaker.state(), 'open');
  lateFail.failure(); // must not extend the ejection
  lateOk.success(); // must not close an open breaker
  assert.equal(breaker.state(), 'open');
  assert.equal(breaker.ejections(), 1);
  clock.t = BASE;
  assert.equal(breaker.state(), 'half-open');
  lateHalfOpen.success(); // not a probe: must neither close nor free a probe slot
  assert.equal(breaker.state(), 'half-open');
  const probe = breaker.admit()!;
  assert.equal(breaker.admit(), undefined);
  probe.success();
  assert.equal(breaker.state(), 'closed');
  // A ticket from the current closed period does count.
  const current = breaker.admit()!;
  fail(2);
  assert.equal(breaker.state(), 'closed');
  current.failure();
  assert.equal(breaker.state(), 'open');
});

test('a second report on the same ticket is ignored', () => {
  const { breaker } = setup();
  const t = breaker.admit()!;
  t.failure();
  t.failure();
  t.failure();
  assert.equal(breaker.state(), 'closed');
  const a = breaker.admit()!;
  a.failure();
  a.success(); // ignored: count stays at 2
  breaker.admit()!.failure();
  assert.equal(breaker.state(), 'open');
});

test('onStateChange sees the transition sequence (settable property too)', () => {
  const { clock, breaker, transitions, fail } = setup();
  fail(3);
  clock.t = BASE;
  breaker.admit()!.failure();
  clock.t += 2 * BASE;
  breaker.admit()!.success();
  assert.deepEqual(transitions, ['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
  const replaced: string[] = [];
  breaker.onStateChange = (from, to) => replaced.push(`${from}->${to}`);
  fail(3);
  assert.deepEqual(replaced, ['closed->open']);
  assert.equal(transitions.length, 5);
});

test('rejects invalid options', () => {
  assert.throws(() => setup({ consecutiveFailures: 0 }), RangeError);
  assert.throws(() => setup({ halfOpenProbes: 0 }), RangeError);
  assert.throws(() => setup({ maxEjectionMs: BASE - 1 }), RangeError);
});

test('cancel frees a half-open probe slot without deciding anything', () => {
  let t = 0;
  const breaker = new Breaker({ consecutiveFailures: 1, baseEjectionMs: 100, maxEjectionMs: 1000, halfOpenProbes: 1, now: () => t });
  breaker.admit()!.failure();
  t = 100;
  const probe = breaker.admit()!;
  assert.equal(breaker.admit(), undefined, 'the only probe slot is taken');
  probe.cancel();
  assert.equal(breaker.state(), 'half-open');
  const next = breaker.admit();
  assert.ok(next, 'slot freed');
  next.success();
  assert.equal(breaker.state(), 'closed');
});
