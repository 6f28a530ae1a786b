import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf, randomChoice, stickyChoice } from '../src/routing/split.ts';

/** Seeded PRNG so the distribution test is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomKeys(n: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(`user-${Math.floor(rnd() * 2 ** 32).toString(36)}-${i}`);
  return keys;
}

test('bucketOf is in 0..99 and deterministic', () => {
  for (const k of ['', 'a', 'user-1', 'ünïcode', 'x'.repeat(500)]) {
    const b = bucketOf(k, 'movies');
    assert.ok(Number.isInteger(b) && b >= 0 && b < 100, `${k} → ${b}`);
    assert.equal(bucketOf(k, 'movies'), b);
  }
});

test('share going new is within ±1.5 points of percent (0 and 100 exact)', () => {
  const keys = randomKeys(100_000, 42);
  for (const p of [0, 1, 10, 25, 50, 75, 99, 100]) {
    let n = 0;
    for (const k of keys) if (stickyChoice(k, p, 'movies').toNew) n++;
    const share = (n / keys.length) * 100;
    if (p === 0 || p === 100) assert.equal(share, p);
    else assert.ok(Math.abs(share - p) <= 1.5, `p=${p} share=${share}`);
  }
});

test('sequential ids also spread evenly', () => {
  let n = 0;
  for (let i = 0; i < 100_000; i++) if (stickyChoice(String(i), 30, 'movies').toNew) n++;
  assert.ok(Math.abs(n / 1000 - 30) <= 1.5, `share=${n / 1000}`);
});

test('sticky: the same key always gets the same choice', () => {
  for (const k of randomKeys(1000, 7)) {
    const first = stickyChoice(k, 37, 'movies');
    for (let i = 0; i < 5; i++) assert.deepEqual(stickyChoice(k, 37, 'movies'), first);
  }
});

test("monotonic: new at p stays new at every p' > p", () => {
  const keys = randomKeys(10_000, 99);
  const steps = [0, 1, 5, 10, 25, 33.5, 50, 75, 99, 100];
  for (const k of keys) {
    let wasNew = false;
    for (const p of steps) {
      const { toNew } = stickyChoice(k, p, 'movies');
      if (wasNew) assert.ok(toNew, `${k} moved back at p=${p}`);
      wasNew = toNew;
    }
  }
});

test('different salts give different bucketings', () => {
  const keys = randomKeys(10_000, 3);
  let same = 0;
  let bothNew = 0;
  for (const k of keys) {
    if (bucketOf(k, 'movies') === bucketOf(k, 'users')) same++;
    if (stickyChoice(k, 50, 'movies').toNew && stickyChoice(k, 50, 'users').toNew) bothNew++;
  }
  // Independent routes: ~1% equal buckets, ~25% new on both at 50%.
  assert.ok(same < 300, `same=${same}`);
  assert.ok(Math.abs(bothNew / 100 - 25) < 3, `bothNew=${bothNew}`);
  assert.notEqual(bucketOf('k'), bucketOf('k', 'movies'));
});

test('out-of-range and NaN percents are clamped', () => {
  assert.equal(stickyChoice('k', -5).toNew, false);
  assert.equal(stickyChoice('k', 250).toNew, true);
  assert.equal(stickyChoice('k', Number.NaN).toNew, false);
});

test('randomChoice with an injected sequence', () => {
  const seq = [0, 0.099, 0.1, 0.5, 0.999];
  let i = 0;
  const next = () => seq[i++ % seq.length] ?? 0;
  assert.deepEqual(
    seq.map(() => randomChoice(10, next).toNew),
    [true, true, false, false, false],
  );
  assert.equal(randomChoice(0, () => 0).toNew, false);
  assert.equal(randomChoice(100, () => 0.999999).toNew, true);
  assert.equal(randomChoice(50, () => 0.49).toNew, true);
  assert.equal(randomChoice(50, () => 0.5).toNew, false);
  assert.equal(randomChoice(Number.NaN, () => 0).toNew, false);
});
