import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  abort,
  applyChanges,
  ChangeError,
  effectivePercent,
  initialState,
  kill,
  pause,
  promote,
  resume,
  rollback,
  unkill,
  type MigrationState,
} from '../src/control/state.ts';
import type { RouteSpec } from '../src/routing/table.ts';

// An injected clock: each call is one second later.
const clock = () => {
  let t = Date.UTC(2026, 0, 1);
  return () => new Date((t += 1000));
};
const route = (migration: Partial<NonNullable<RouteSpec['migration']>> = {}): RouteSpec => ({
  name: 'movies',
  prefix: '/api/movies',
  backend: 'monolith',
  migration: { to: 'movies', enabled: false, percent: 0, mode: 'sticky', fallback: true, ...migration },
});
const start = (migration?: Partial<NonNullable<RouteSpec['migration']>>) => initialState(route(migration), new Date(Date.UTC(2026, 0, 1)))!;
const refused = (fn: () => unknown, code: string) =>
  assert.throws(fn, (error: unknown) => error instanceof ChangeError && error.code === code && error.statusCode === 400);

describe('initialState', () => {
  test('comes from the route table, version 0, analysis off, shadow at 0 %', () => {
    const s = start();
    assert.deepEqual([s.stage, s.enabled, s.percent, s.version, s.from, s.to], ['off', false, 0, 0, 'monolith', 'movies']);
    assert.equal(s.analysis.enabled, false);
    assert.equal(s.shadow.percent, 0);
    assert.deepEqual(s.shadow.methods, ['GET', 'HEAD']);
    assert.deepEqual(s.steps, [1, 5, 25, 50]);
    assert.equal(start({ enabled: true, percent: 30 }).stage, 'canary');
    assert.equal(start({ enabled: true, percent: 100 }).stage, 'migrated');
    assert.equal(initialState({ name: 'x', prefix: '/', backend: 'monolith' }, new Date()), undefined);
  });

  test('its effective split is what the environment said', () => {
    assert.equal(effectivePercent(start({ enabled: true, percent: 30 })), 30);
    assert.equal(effectivePercent(start({ enabled: false, percent: 30 })), 0);
    assert.equal(effectivePercent(start({ enabled: true, percent: 100 })), 100);
  });
});

describe('effectivePercent', () => {
  test('killed, disabled, off and shadow send nothing; migrated everything; canary its percent', () => {
    const canary = start({ enabled: true, percent: 25 });
    assert.equal(effectivePercent(canary), 25);
    assert.equal(effectivePercent({ ...canary, killed: true }), 0);
    assert.equal(effectivePercent({ ...canary, enabled: false }), 0);
    assert.equal(effectivePercent({ ...canary, stage: 'shadow' }), 0);
    assert.equal(effectivePercent({ ...canary, stage: 'off' }), 0);
    assert.equal(effectivePercent({ ...canary, stage: 'migrated' }), 100);
  });
});

describe('stage machine', () => {
  test('promote walks off → shadow → each canary step → migrated, then refuses', () => {
    const now = clock();
    let s = start();
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      s = promote(s, now());
      seen.push(`${s.stage}:${effectivePercent(s)}`);
    }
    assert.deepEqual(seen, ['shadow:0', 'canary:1', 'canary:5', 'canary:25', 'canary:50', 'migrated:100']);
    assert.equal(s.version, 6);
    refused(() => promote(s, now()), 'INVALID_TRANSITION');
  });

  test('promote into shadow mirrors everything unless a share was set', () => {
    const now = clock();
    assert.equal(promote(start(), now()).shadow.percent, 100);
    const some = applyChanges(start(), { shadow: { percent: 10 } }, now());
    assert.equal(promote(some, now()).shadow.percent, 10);
  });

  test('versions and times come from each transition and the clock', () => {
    const now = clock();
    const a = promote(start(), now());
    const b = pause(a, 'look', now());
    assert.equal(b.version, a.version + 1);
    assert.ok(b.updatedAt > a.updatedAt);
  });

  test('pause and resume keep the split; resume forgets the reason', () => {
    const now = clock();
    const canary = applyChanges(start(), { percent: 5 }, now());
    const paused = pause(canary, 'checking', now());
    assert.deepEqual([paused.paused, paused.pausedReason, effectivePercent(paused)], [true, 'checking', 5]);
    const resumed = resume(paused, now());
    assert.equal(resumed.paused, false);
    assert.equal('pausedReason' in resumed, false);
    assert.equal(effectivePercent(resumed), 5);
  });

  test('abort sends everything back, keeps shadow, pauses', () => {
    const now = clock();
    const s = abort(applyChanges(start(), { percent: 50 }, now()), 'errors', now());
    assert.deepEqual([s.stage, s.percent, effectivePercent(s), s.paused, s.pausedReason], ['shadow', 0, 0, true, 'errors']);
    assert.equal(abort(start(), 'x', now()).stage, 'off');
  });

  test('the kill switch overrides every stage and leaves the rest as it was', () => {
    const now = clock();
    const migrated = applyChanges(start(), { stage: 'migrated' }, now());
    const killed = kill(migrated, now());
    assert.equal(effectivePercent(killed), 0);
    refused(() => promote(killed, now()), 'INVALID_TRANSITION');
    assert.equal(effectivePercent(unkill(killed, now())), 100);
  });

  test('rollback: to the previous step or to zero, and paused with the reason', () => {
    const now = clock();
    const at25 = applyChanges(start(), { percent: 25, analysis: { rollbackTo: 'previous' } }, now());
    const back = rollback(at25, 'error_rate 0.2 > 0.01', now());
    assert.deepEqual([back.stage, back.percent, back.paused, back.pausedReason], ['canary', 5, true, 'error_rate 0.2 > 0.01']);
    const first = rollback(applyChanges(at25, { percent: 1 }, now()), 'x', now());
    assert.deepEqual([first.stage, first.percent], ['shadow', 0]);
    const zero = rollback(applyChanges(at25, { analysis: { rollbackTo: 'zero' } }, now()), 'x', now());
    assert.deepEqual([zero.stage, zero.percent, effectivePercent(zero)], ['shadow', 0, 0]);
    const fromMigrated = rollback(applyChanges(at25, { stage: 'migrated' }, now()), 'x', now());
    assert.deepEqual([fromMigrated.stage, fromMigrated.percent], ['canary', 50]);
  });
});

describe('applyChanges (validation)', () => {
  const now = clock();
  test('a percent alone implies its stage', () => {
    assert.deepEqual(pick(applyChanges(start(), { percent: 25 }, now())), ['canary', 25, true]);
    assert.deepEqual(pick(applyChanges(start(), { percent: 100 }, now())), ['migrated', 100, true]);
    const canary = applyChanges(start(), { percent: 25 }, now());
    assert.deepEqual(pick(applyChanges(canary, { percent: 0 }, now())), ['shadow', 0, true]);
    assert.deepEqual(pick(applyChanges(applyChanges(canary, { percent: 100 }, now()), { percent: 0 }, now())), ['shadow', 0, true]);
    assert.deepEqual(pick(applyChanges(start(), { percent: 0 }, now())), ['off', 0, false]);
  });

  test('a stage alone sets its percent', () => {
    assert.deepEqual(pick(applyChanges(start(), { stage: 'canary' }, now())), ['canary', 1, true]);
    assert.deepEqual(pick(applyChanges(start(), { stage: 'shadow' }, now())), ['shadow', 0, true]);
    assert.deepEqual(pick(applyChanges(start({ enabled: true, percent: 40 }), { stage: 'off' }, now())), ['off', 0, true]);
  });

  test('refuses what cannot be, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /fewer than 1/],
      [{ percent: 101 }, /percent/],
      [{ percent: '5' }, /percent/],
      [{ mode: 'weighted' }, /mode/],
      [{ colour: 'red' }, /unknown field 'colour'/],
      [{ shadow: { percent: 10, extra: 1 } }, /shadow has unknown field 'extra'/],
      [{ analysis: { maxErrorRate: 2 } }, /analysis.maxErrorRate/],
      [{ steps: [5, 5] }, /strictly ascending/],
      [{ steps: [] }, /steps/],
      [{ stage: 'shadow', percent: 10 }, /percent must be 0/],
      [{ stage: 'canary', percent: 0 }, /above 0/],
      [null, /./],
    ];
    for (const [changes, message] of cases) {
      assert.throws(
        () => applyChanges(start(), changes, now()),
        (error: unknown) => error instanceof ChangeError && error.code === 'INVALID_CHANGE' && message.test(error.message),
        JSON.stringify(changes),
      );
    }
  });

  test('does not touch the state it was given', () => {
    const s = start();
    const copy = structuredClone(s);
    applyChanges(s, { percent: 5, shadow: { ignore: ['/x'] } }, now());
    assert.deepEqual(s, copy);
  });
});

const pick = (s: MigrationState) => [s.stage, s.percent, s.enabled];

describe('invariants over any sequence of transitions', () => {
  const change = fc.oneof(
    fc.record({ percent: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ stage: fc.constantFrom('off', 'shadow', 'canary', 'migrated') }),
    fc.record({ enabled: fc.boolean() }),
    fc.record({ steps: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 5 }).map((a) => a.sort((x, y) => x - y)) }),
  );
  const step = fc.oneof(
    change.map((c) => ['set', c] as const),
    fc.constantFrom(
      ['promote'] as const,
      ['pause'] as const,
      ['resume'] as const,
      ['abort'] as const,
      ['kill'] as const,
      ['unkill'] as const,
      ['rollback'] as const,
    ),
  );

  test('the split matches the stage, versions only grow, refusals change nothing', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.constantFrom('previous', 'zero'), (steps, rollbackTo) => {
        const now = clock();
        let s = applyChanges(start(), { analysis: { rollbackTo } }, now());
        for (const [name, arg] of steps) {
          const before = s;
          try {
            s = (
              {
                set: () => applyChanges(s, arg, now()),
                promote: () => promote(s, now()),
                pause: () => pause(s, 'p', now()),
                resume: () => resume(s, now()),
                abort: () => abort(s, 'a', now()),
                kill: () => kill(s, now()),
                unkill: () => unkill(s, now()),
                rollback: () => rollback(s, 'r', now()),
              } as const
            )[name]();
          } catch (error) {
            assert.ok(error instanceof ChangeError, String(error));
            assert.equal(s, before);
            continue;
          }
          assert.equal(s.version, before.version + 1);
          const p = effectivePercent(s);
          assert.ok(Number.isInteger(p) && p >= 0 && p <= 100);
          if (s.stage === 'off' || s.stage === 'shadow') assert.equal(s.percent, 0, JSON.stringify(s));
          if (s.stage === 'canary') assert.ok(s.percent > 0, JSON.stringify(s));
          if (s.stage === 'migrated' && !s.killed && s.enabled) assert.equal(p, 100);
          if (s.killed) assert.equal(p, 0);
          if (name === 'abort' || name === 'rollback') assert.ok(s.paused && p <= effectivePercent(before));
        }
      }),
      { numRuns: 300 },
    );
  });
});
