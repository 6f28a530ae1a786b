import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signOverride, verifyOverride } from '../src/routing/override.ts';

const SECRET = 's3cret';
const ALLOWED = ['monolith', 'movies'] as const;
const NOW = 1_700_000_000_000;
const exp = NOW / 1000 + 600;
const TTL = 86_400_000;

test('valid token → backend', () => {
  assert.equal(verifyOverride(signOverride('movies', exp, SECRET), SECRET, ALLOWED, NOW, TTL), 'movies');
  assert.equal(verifyOverride(signOverride('monolith', exp, SECRET), SECRET, ALLOWED, NOW, TTL), 'monolith');
  assert.match(signOverride('movies', exp, SECRET), /^movies\.1700000600\.[0-9a-f]{64}$/);
});

test('backend names containing dots still parse', () => {
  const t = signOverride('movies.v2', exp, SECRET);
  assert.equal(verifyOverride(t, SECRET, ['movies.v2'], NOW, TTL), 'movies.v2');
});

test('expired (including exactly at expiry) → undefined', () => {
  const t = signOverride('movies', exp, SECRET);
  assert.equal(verifyOverride(t, SECRET, ALLOWED, exp * 1000, TTL), undefined);
  assert.equal(verifyOverride(t, SECRET, ALLOWED, exp * 1000 + 1, TTL), undefined);
  assert.equal(verifyOverride(t, SECRET, ALLOWED, exp * 1000 - 1, TTL), 'movies');
});

test('wrong secret, empty or missing secret → undefined', () => {
  const t = signOverride('movies', exp, SECRET);
  assert.equal(verifyOverride(t, 'other', ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(t, '', ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(t, undefined, ALLOWED, NOW, TTL), undefined);
  assert.throws(() => signOverride('movies', exp, ''), RangeError);
  assert.throws(() => signOverride('movies', 1.5, SECRET), RangeError);
});

test('tampered backend, expiry or signature → undefined', () => {
  const t = signOverride('movies', exp, SECRET);
  const [, e, sig] = t.split('.') as [string, string, string];
  assert.equal(verifyOverride(`monolith.${e}.${sig}`, SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(`movies.${Number(e) + 1000}.${sig}`, SECRET, ALLOWED, NOW, TTL), undefined);
  const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
  assert.equal(verifyOverride(`movies.${e}.${flipped}`, SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(`movies.${e}.${sig.toUpperCase()}`, SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(`movies.${e}.${sig.slice(2)}`, SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(`movies.${e}.${sig}00`, SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(`movies.+${e}.${sig}`, SECRET, ALLOWED, NOW, TTL), undefined);
});

test('validly signed but unknown backend → undefined', () => {
  assert.equal(verifyOverride(signOverride('evil', exp, SECRET), SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(signOverride('', exp, SECRET), SECRET, ALLOWED, NOW, TTL), undefined);
  assert.equal(verifyOverride(signOverride('movies', exp, SECRET), SECRET, [], NOW, TTL), undefined);
});

test('garbage never throws and yields undefined', () => {
  const garbage = [
    undefined,
    '',
    'a.b',
    '.',
    '..',
    '...',
    'x'.repeat(10000),
    'movies..',
    'movies.1.',
    '.1.ab',
    `movies.abc.${'a'.repeat(64)}`,
    `movies.1e9.${'a'.repeat(64)}`,
    `movies.${'9'.repeat(40)}.${'a'.repeat(64)}`,
    `movies.1.${'g'.repeat(64)}`,
    '\u0000.\u0000.\u0000',
  ];
  for (const g of garbage) {
    assert.doesNotThrow(() => verifyOverride(g, SECRET, ALLOWED, NOW, TTL));
    assert.equal(verifyOverride(g, SECRET, ALLOWED, NOW, TTL), undefined, String(g).slice(0, 40));
  }
});

test('a token expiring further ahead than the maximum lifetime is refused, whatever its signature', () => {
  const day = 86_400;
  const at = (seconds: number) => signOverride('movies', NOW / 1000 + seconds, SECRET);
  assert.equal(verifyOverride(at(day), SECRET, ALLOWED, NOW, day * 1000), 'movies', 'exactly the maximum');
  assert.equal(verifyOverride(at(day + 1), SECRET, ALLOWED, NOW, day * 1000), undefined, 'one second past it');
  assert.equal(verifyOverride(at(300), SECRET, ALLOWED, NOW, 60_000), undefined, 'a smaller maximum');
  // The largest expiry the format can carry (year 33658): refused, not honoured for 31,000 years.
  assert.equal(verifyOverride(signOverride('movies', 999_999_999_999, SECRET), SECRET, ALLOWED, NOW, TTL), undefined);
  // The same token becomes acceptable once its remaining lifetime is within the maximum.
  assert.equal(verifyOverride(at(2 * day), SECRET, ALLOWED, NOW + day * 1000, TTL), 'movies');
});
