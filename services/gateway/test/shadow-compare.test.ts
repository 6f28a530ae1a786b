import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareAnswers,
  compilePatterns,
  diffBodies,
  diffJson,
  MAX_DIFFERENCES,
  normalise,
  compileRules,
  pointerOf,
  tokensOf,
  verdictOf,
  type Answer,
} from '../src/shadow/compare.ts';
import { endpointOf, MAX_NOISY, RING_SIZE, ShadowStats } from '../src/shadow/stats.ts';

const rules = (over: Partial<{ ignore: string[]; sets: string[]; tolerance: number }> = {}) => ({ ignore: [], sets: [], tolerance: 0, ...over });
const json = (value: unknown, status = 200): Answer => ({ status, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(value)) });

describe('pointers (RFC 6901)', () => {
  test('escape ~ and / in tokens, and back', () => {
    assert.equal(pointerOf(['a/b', 'm~n', '0']), '/a~1b/m~0n/0');
    assert.deepEqual(tokensOf('/a~1b/m~0n/0'), ['a/b', 'm~n', '0']);
    assert.deepEqual(tokensOf(''), []);
  });
});

describe('normalise', () => {
  test('ignored pointers are removed, with * for any key or index', () => {
    const doc = {
      id: 1,
      served_at: 'x',
      items: [
        { id: 1, at: 't1' },
        { id: 2, at: 't2' },
      ],
    };
    assert.deepEqual(normalise(doc, compileRules(rules({ ignore: ['/served_at', '/items/*/at'] }))), { id: 1, items: [{ id: 1 }, { id: 2 }] });
  });

  test('set arrays are put in one order, nested objects compared by value', () => {
    const r = compileRules(rules({ sets: ['/genres', '/*/tags'] }));
    assert.deepEqual(normalise({ genres: ['drama', 'action'] }, r), normalise({ genres: ['action', 'drama'] }, r));
    assert.deepEqual(normalise([{ tags: [{ b: 1, a: 2 }, { a: 1 }] }], r), normalise([{ tags: [{ a: 1 }, { a: 2, b: 1 }] }], r));
  });
});

describe('diffJson', () => {
  test('names each differing leaf with its pointer, old and new values', () => {
    const diff = diffJson({ id: 1, title: 'Up', rating: 8.3, genres: ['a'] }, { id: 1, title: 'Up', rating: 9.9, genres: ['a', 'b'], extra: true }, rules());
    assert.deepEqual(diff, [
      { pointer: '/extra', old: undefined, new: true },
      { pointer: '/genres/1', old: undefined, new: 'b' },
      { pointer: '/rating', old: 8.3, new: 9.9 },
    ]);
  });

  test('numbers within the tolerance are equal', () => {
    assert.deepEqual(diffJson({ rating: 8.3 }, { rating: 8.30001 }, rules({ tolerance: 0.001 })), []);
    assert.equal(diffJson({ rating: 8.3 }, { rating: 8.4 }, rules({ tolerance: 0.001 })).length, 1);
  });

  test('arrays listed as sets ignore order but count repeats (multisets)', () => {
    assert.deepEqual(diffJson({ g: ['x', 'y'] }, { g: ['y', 'x'] }, rules({ sets: ['/g'] })), []);
    assert.notDeepEqual(diffJson({ g: ['x', 'x', 'y'] }, { g: ['x', 'y', 'y'] }, rules({ sets: ['/g'] })), []);
    assert.notDeepEqual(diffJson({ g: ['x', 'y'] }, { g: ['y', 'x'] }, rules()), []);
  });

  test('a type change is one entry at its pointer; long values are cut', () => {
    const long = 'z'.repeat(500);
    const [entry] = diffJson({ a: { b: 1 } }, { a: long }, rules());
    assert.equal(entry!.pointer, '/a');
    assert.deepEqual(entry!.old, { b: 1 });
    assert.ok(typeof entry!.new === 'string' && entry!.new.length < 250 && entry!.new.endsWith('…'));
  });

  test('the diff is capped', () => {
    const a = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const b = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, -i - 1]));
    assert.equal(diffJson(a, b, rules()).length, MAX_DIFFERENCES);
  });
});

describe('diffBodies', () => {
  test('non-JSON bodies are compared byte for byte', () => {
    const text = (body: string): Answer => ({ status: 200, contentType: 'text/plain', body: Buffer.from(body) });
    assert.deepEqual(diffBodies(text('same'), text('same'), rules()), []);
    assert.deepEqual(diffBodies(text('old'), text('new'), rules()), [{ pointer: '', old: 'old', new: 'new' }]);
  });

  test('JSON with different formatting is equal; invalid JSON falls back to bytes', () => {
    const spaced: Answer = { status: 200, contentType: 'application/problem+json', body: Buffer.from('{ "a" : 1 }') };
    assert.deepEqual(diffBodies(spaced, json({ a: 1 }), rules()), []);
    const broken: Answer = { status: 200, contentType: 'application/json', body: Buffer.from('{') };
    assert.equal(diffBodies(broken, json({ a: 1 }), rules())[0]!.pointer, '');
  });

  test('binary bodies are shown by size', () => {
    const bin = (b: number[]): Answer => ({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(b) });
    assert.deepEqual(diffBodies(bin([0xff, 0xfe]), bin([0xff]), rules()), [{ pointer: '', old: '<2 bytes>', new: '<1 bytes>' }]);
  });
});

describe('verdicts', () => {
  test('a different status is a mismatch whatever the bodies', () => {
    assert.equal(compareAnswers(json({ a: 1 }, 200), json({ a: 1 }, 404), rules(), []).verdict, 'mismatched');
  });

  test('differences only on noisy pointers are noise; one more is a mismatch', () => {
    const noisy = compilePatterns(['/served_at', '/items/*/seen']);
    assert.equal(verdictOf(true, [], noisy), 'matched');
    assert.equal(
      verdictOf(
        true,
        [
          { pointer: '/served_at', old: 1, new: 2 },
          { pointer: '/items/3/seen', old: 1, new: 2 },
        ],
        noisy,
      ),
      'noise',
    );
    assert.equal(
      verdictOf(
        true,
        [
          { pointer: '/served_at', old: 1, new: 2 },
          { pointer: '/rating', old: 1, new: 2 },
        ],
        noisy,
      ),
      'mismatched',
    );
  });
});

describe('stats', () => {
  test('endpoint = method, path and sorted query names without values', () => {
    assert.equal(endpointOf('GET', '/api/movies?b=2&a=1&b=3'), 'GET /api/movies?a&b');
    assert.equal(endpointOf('GET', '/api/movies'), 'GET /api/movies');
    assert.equal(endpointOf('HEAD', '/x?'), 'HEAD /x');
  });

  test('counts per endpoint, listeners and the metric hear every outcome', () => {
    const heard: string[] = [];
    const stats = new ShadowStats();
    stats.onResult((route, result, endpoint) => heard.push(`${route} ${result} ${endpoint}`));
    stats.record('movies', 'GET /a', 'matched');
    stats.record('movies', 'GET /a', 'noise');
    stats.record('movies', 'GET /a', 'mismatched');
    stats.record('movies', 'GET /a', 'dropped');
    stats.record('movies', 'GET /a', 'too_large');
    stats.record('movies', 'GET /b', 'error');
    const [a, b] = stats.endpoints('movies');
    assert.deepEqual(a, { endpoint: 'GET /a', compared: 3, matched: 1, mismatched: 1, noise: 1, dropped: 1, errors: 0, tooLarge: 1, noisy: [] });
    assert.equal(b!.errors, 1);
    assert.equal(heard.length, 6);
    assert.equal(heard[0], 'movies matched GET /a');
  });

  test('noise learned per endpoint is bounded, the oldest forgotten first', () => {
    const stats = new ShadowStats();
    stats.learn(
      'movies',
      'GET /a',
      Array.from({ length: MAX_NOISY + 5 }, (_, i) => `/k${i}`),
    );
    const [entry] = stats.endpoints('movies');
    assert.equal(entry!.noisy.length, MAX_NOISY);
    assert.ok(!entry!.noisy.includes('/k0') && entry!.noisy.includes(`/k${MAX_NOISY + 4}`));
    assert.equal(verdictOf(true, [{ pointer: '/k50', old: 1, new: 2 }], stats.noisy('movies', 'GET /a')), 'noise');
    assert.equal(verdictOf(true, [{ pointer: '/k50', old: 1, new: 2 }], stats.noisy('movies', 'GET /b')), 'mismatched');
  });

  test('the latest mismatches are a ring, newest first', () => {
    const stats = new ShadowStats();
    for (let i = 0; i < RING_SIZE + 3; i++) {
      stats.mismatch({
        at: String(i),
        route: 'movies',
        endpoint: 'GET /a',
        request: { method: 'GET', path: '/a', headers: {} },
        primary: { backend: 'm', status: 200 },
        shadow: { backend: 'n', status: 200 },
        diff: [],
      });
    }
    const recent = stats.recent('movies');
    assert.equal(recent.length, RING_SIZE);
    assert.equal(recent[0]!.at, String(RING_SIZE + 2));
  });
});
