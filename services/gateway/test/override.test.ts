import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signOverride, verifyOverride } from '../src/routing/override.ts';

const SECRET = 's3cret';
const ALLOWED = ['monolith', 'movies'] as const;
const NOW = 1_700_000_000_000;
const exp = NOW / 1000 + 600;

test('valid token → backend', () => {
  assert.equal(verifyOverride(signOverride('movies', exp, SECRET), SECRET, ALLOWED, NOW), 'movies');
  assert.equal(verifyOverride(signOverride('monolith', exp, SECRET), SECRET, ALLOWED, NOW), 'monolith');
  assert.match(signOverride('movies', exp, SECRET), /^movies\.1700000600\.[0-9a-f]{64}$/);
});

test('backend names containing dots still parse', () => {
  const t = signOverride('movies.v2', exp, SECRET);
  assert.equal(verifyOverride(t, SECRET, ['movies.v2'], NOW), 'movies.v2');
});

test('expired (including exactly at expiry) → undefined', () => {
  const t = signOverride('movies', exp, SECRET);
  assert.equal(verifyOverride(t, SECRET, ALLOWED, exp * 1000), undefined);
  assert.equal(verifyOverride(t, SECRET, ALLOWED, exp * 1000 + 1), undefined);
  assert.equal(verifyOverride(t, SECRET, ALLOWED, exp * 1000 - 1), 'movies');
});

test('wrong secret, empty or missing secret → undefined', () => {
  const t = signOverride('movies', exp, SECRET);
  assert.equal(verifyOverride(t, 'other', ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(t, '', ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(t, undefined, ALLOWED, NOW), undefined);
  assert.throws(() => signOverride('movies', exp, ''), RangeError);
  assert.throws(() => signOverride('movies', 1.5, SECRET), RangeError);
});

test('tampered backend, expiry or signature → undefined', () => {
  const t = signOverride('movies', exp, SECRET);
  const [, e, sig] = t.split('.') as [string, string, string];
  assert.equal(verifyOverride(`monolith.${e}.${sig}`, SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(`movies.${Number(e) + 1000}.${sig}`, SECRET, ALLOWED, NOW), undefined);
  const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
  assert.equal(verifyOverride(`movies.${e}.${flipped}`, SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(`movies.${e}.${sig.toUpperCase()}`, SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(`movies.${e}.${sig.slice(2)}`, SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(`movies.${e}.${sig}00`, SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(`movies.+${e}.${sig}`, SECRET, ALLOWED, NOW), undefined);
});

test('validly signed but unknown backend → undefined', () => {
  assert.equal(verifyOverride(signOverride('evil', exp, SECRET), SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(signOverride('', exp, SECRET), SECRET, ALLOWED, NOW), undefined);
  assert.equal(verifyOverride(signOverride('movies', exp, SECRET), SECRET, [], NOW), undefined);
});

test('garbage never throws and yields undefined', () => {
  const garbage = [undefined, '', 'a.b', '.', '..', '...', 'x'.repeat(10000), 'movies..', 'movies.1.', '.1.ab',
    'movies.abc.' + 'a'.repeat(64), 'movies.1e9.' + 'a'.repeat(64), 'movies.' + '9'.repeat(40) + '.' + 'a'.repeat(64),
    'movies.1.' + 'g'.repeat(64), '\u0000.\u0000.\u0000'];
  for (const g of garbage) {
    assert.doesNotThrow(() => verifyOverride(g, SECRET, ALLOWED, NOW));
    assert.equal(verifyOverride(g, SECRET, ALLOWED, NOW), undefined, String(g).slice(0, 40));
  }
});
