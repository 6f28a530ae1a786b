import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TARGET_LENGTH, normalizeTarget } from '../src/proxy/path.ts';

// [raw request-target, expected normalised path (+ query) | 'reject']
type Case = [string, string | 'reject', string?];
const CASES: Case[] = [
  ['/api/movies', '/api/movies'],
  ['/api/movies/', '/api/movies/'],
  ['/', '/'],
  ['/api/movies?id=1', '/api/movies', '?id=1'],
  ['/api/movies?', '/api/movies', '?'],
  ['/api/movies?next=/../x&q=%2F%00', '/api/movies', '?next=/../x&q=%2F%00'],
  ['/api/./movies', '/api/movies'],
  ['/api/movies/.', '/api/movies/'],
  ['/api/movies/../users', '/api/users'],
  ['/api/movies/..', '/api/'],
  ['/api/..', '/'],
  ['/api/%2e%2e/x', '/x'],
  ['/api/.%2E/x', '/x'],
  ['/api/movies/%2e%2e/%2e%2e/users', '/users'],
  ['/%2E%2E/etc/passwd', 'reject'],
  ['/../etc/passwd', 'reject'],
  ['/api/../../etc/passwd', 'reject'],
  ['/api/movies/..;/admin', 'reject'],
  ['/api/movies/.;x/y', 'reject'],
  ['/api/movies/...', '/api/movies/...'],
  ['/api/movies/..x/.y', '/api/movies/..x/.y'],
  ['/api/movies%2F..%2Fusers', 'reject'],
  ['/api/movies%2f..%2fusers', 'reject'],
  ['/api/movies%5c..', 'reject'],
  ['/api/movies%5C..', 'reject'],
  ['/api\\movies', 'reject'],
  ['/api/movies\\..\\users', 'reject'],
  ['/api/movies%00', 'reject'],
  ['/api/movies%0d%0aX-Injected:1', 'reject'],
  ['/api/movies%7F', 'reject'],
  ['/api/movies\u0000', 'reject'],
  ['/api/movies\r\nHost: evil', 'reject'],
  ['/api/mo vies', 'reject'],
  ['/api/movi\u00e9s', 'reject'],
  ['/api/%zz', 'reject'],
  ['/api/%2', 'reject'],
  ['/api/%', 'reject'],
  ['http://evil.example/api/movies', 'reject'],
  ['https://evil.example/api/movies', 'reject'],
  ['evil.example:443', 'reject'],
  ['*', 'reject'],
  ['', 'reject'],
  ['api/movies', 'reject'],
  ['//evil.example/api', '/evil.example/api'],
  ['/api//movies///1', '/api/movies/1'],
  ['/api//../movies', '/movies'],
  ['/api/m%6Fvies', '/api/movies'],
  ['/api/%41%7a%30-%5F%7E', '/api/Az0-_~'],
  ['/api/movies%20x', '/api/movies%20x'],
  ['/api/movies%2a', '/api/movies%2A'],
  ['/api/%C3%A9t%C3%A9', '/api/%C3%A9t%C3%A9'],
  ['/api/%252e%252e/x', '/api/%252e%252e/x'],
  ['/api/movies#frag', 'reject'],
  ['/api/movies?x=1#frag', 'reject'],
  ['/api/movies;jsessionid=1', '/api/movies;jsessionid=1'],
  [`/${'a'.repeat(MAX_TARGET_LENGTH)}`, 'reject'],
];

test(`proxy-escape table (${CASES.length} cases)`, () => {
  assert.ok(CASES.length >= 25);
  for (const [raw, want, query] of CASES) {
    const r = normalizeTarget(raw);
    const label = JSON.stringify(raw.slice(0, 60));
    if (want === 'reject') {
      assert.equal(r.ok, false, `${label} should be rejected, got ${JSON.stringify(r)}`);
      if (!r.ok) assert.ok(r.reason.length > 0);
    } else {
      assert.deepEqual(r, { ok: true, path: want, query: query ?? '' }, label);
    }
  }
});

test('exactly at the length limit is accepted', () => {
  const raw = `/${'a'.repeat(MAX_TARGET_LENGTH - 1)}`;
  assert.equal(normalizeTarget(raw).ok, true);
});

test('normalisation is idempotent', () => {
  for (const [raw, want] of CASES) {
    if (want === 'reject') continue;
    const once = normalizeTarget(raw);
    assert.ok(once.ok);
    assert.deepEqual(normalizeTarget(once.path + once.query), once, raw);
  }
});

test('every accepted path starts with a single slash and has no dot segments', () => {
  for (const [raw] of CASES) {
    const r = normalizeTarget(raw);
    if (!r.ok) continue;
    assert.ok(r.path.startsWith('/') && !r.path.startsWith('//'), raw);
    assert.ok(!r.path.split('/').some((s) => s === '.' || s === '..'), raw);
  }
});

test('generated spellings: what comes out is canonical and comes out unchanged again (the short way for canonical paths)', () => {
  const pieces = ['/', '/', '//', '.', '..', '%2e', '%2E%2e', '%61', '%2a', 'a', 'b.c', ';', '.;', '~', '-'];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % pieces.length;
  for (let i = 0; i < 5000; i++) {
    let raw = '/';
    for (let n = next() + 1; n > 0; n--) raw += pieces[next()];
    const once = normalizeTarget(raw);
    if (!once.ok) continue;
    assert.ok(!once.path.includes('//') && !once.path.split('/').some((s) => s === '.' || s === '..' || s.startsWith('.;')), raw);
    assert.deepEqual(normalizeTarget(once.path), once, raw);
  }
});
