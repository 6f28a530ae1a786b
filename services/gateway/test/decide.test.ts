import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OVERRIDE_HEADER, decide, type DecideDeps } from '../src/routing/decide.ts';
import { signOverride } from '../src/routing/override.ts';
import { bucketOf } from '../src/routing/split.ts';
import { validateRouteTable, type RouteSpec } from '../src/routing/table.ts';

const SECRET = 'override-secret-0123456789';
const NOW = 1_700_000_000_000;
const LATER = NOW / 1000 + 600;

/** A validated `movies` route (monolith → movies) with the given migration fields, or none. */
function route(migration?: Record<string, unknown>): RouteSpec {
  const table = validateRouteTable({
    backends: { monolith: { url: 'http://monolith:8080' }, movies: { url: 'http://movies:8081' }, events: { url: 'http://events:8082' } },
    routes: [
      { name: 'movies', prefix: '/api/movies', backend: 'monolith', ...(migration ? { migration: { to: 'movies', ...migration } } : {}) },
      { name: 'all', prefix: '/', backend: 'monolith' },
    ],
  });
  return table.routes[0]!;
}

interface Calls {
  random: number;
  newId: number;
}

function deps(over: Partial<DecideDeps> = {}): DecideDeps & { calls: Calls } {
  const calls: Calls = { random: 0, newId: 0 };
  let ids = 0;
  const random = over.random ?? (() => 0.5);
  const newId = over.newId ?? (() => `minted-${++ids}`);
  return {
    overrideSecret: 'overrideSecret' in over ? over.overrideSecret : SECRET,
    now: over.now ?? (() => NOW),
    overrideMaxTtlMs: over.overrideMaxTtlMs ?? 86_400_000,
    random: () => {
      calls.random++;
      return random();
    },
    newId: () => {
      calls.newId++;
      return newId();
    },
    calls,
  };
}

const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);

describe('decide: no migration or migration off', () => {
  test('a route without migration → its backend, reason default', () => {
    const d = deps();
    assert.deepEqual(decide(route(), { 'x-user-id': 'alice' }, '', d), { backend: 'monolith', reason: 'default' });
    assert.deepEqual(d.calls, { random: 0, newId: 0 });
  });

  test('enabled=false → the old backend, reason default, whatever the percent and mode; no cookie minted', () => {
    for (const mode of ['sticky', 'random']) {
      const d = deps({ random: () => 0 });
      for (const headers of [{ 'x-user-id': 'alice' }, {}]) {
        assert.deepEqual(decide(route({ enabled: false, percent: 100, mode }), headers, '', d), { backend: 'monolith', reason: 'default' });
      }
      assert.deepEqual(d.calls, { random: 0, newId: 0 });
    }
  });
});

describe('decide: sticky', () => {
  test('0 % → always the old backend; 100 % → always the new one; reason bucket with the bucket', () => {
    const zero = route({ enabled: true, percent: 0 });
    const all = route({ enabled: true, percent: 100 });
    for (const user of users) {
      const a = decide(zero, { 'x-user-id': user }, '', deps());
      assert.equal(a.backend, 'monolith');
      assert.equal(a.reason, 'bucket');
      assert.equal(a.bucket, bucketOf(user, 'movies'));
      assert.equal(a.setCookie, undefined);
      const b = decide(all, { 'x-user-id': user }, '', deps());
      assert.equal(b.backend, 'movies');
      assert.equal(b.reason, 'bucket');
    }
  });

  test('the same x-user-id always gets the same decision; at 50 % users split both ways by bucket', () => {
    const half = route({ enabled: true, percent: 50 });
    const seen = new Set<string>();
    for (const user of users) {
      const first = decide(half, { 'x-user-id': user }, '', deps());
      for (let i = 0; i < 5; i++) assert.deepEqual(decide(half, { 'x-user-id': user }, '?page=2', deps()), first);
      assert.equal(first.backend, (first.bucket ?? -1) < 50 ? 'movies' : 'monolith');
      seen.add(first.backend);
    }
    assert.deepEqual([...seen].sort(), ['monolith', 'movies']);
  });

  test('the user_id query parameter is a key too (with or without the leading ?); the header wins over it', () => {
    const half = route({ enabled: true, percent: 50 });
    for (const user of users.slice(0, 50)) {
      const byHeader = decide(half, { 'x-user-id': user }, '', deps());
      assert.deepEqual(decide(half, {}, `?user_id=${user}`, deps()), byHeader);
      assert.deepEqual(decide(half, {}, `sort=asc&user_id=${user}`, deps()), byHeader);
    }
    const d = deps();
    const headerWins = decide(half, { 'x-user-id': 'alice' }, '?user_id=bob', d);
    assert.equal(headerWins.bucket, bucketOf('alice', 'movies'));
    assert.equal(d.calls.newId, 0);
  });

  test('no key at all → a minted id, bucketed, with a ca_bucket Set-Cookie; the cookie then keeps the decision', () => {
    const half = route({ enabled: true, percent: 50 });
    const d = deps({ newId: () => 'fresh-id-1' });
    const first = decide(half, {}, '', d);
    assert.equal(d.calls.newId, 1);
    assert.equal(first.reason, 'bucket');
    assert.equal(first.bucket, bucketOf('fresh-id-1', 'movies'));
    assert.equal(first.setCookie, 'ca_bucket=fresh-id-1; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000');

    const again = decide(half, { cookie: 'theme=dark; ca_bucket=fresh-id-1' }, '', d);
    assert.equal(d.calls.newId, 1, 'no new id once the cookie is back');
    assert.equal(again.setCookie, undefined);
    assert.equal(again.backend, first.backend);
    assert.equal(again.bucket, first.bucket);

    const session = decide(half, { cookie: 'session=sess-9' }, '', d);
    assert.equal(session.bucket, bucketOf('sess-9', 'movies'));
    assert.equal(session.setCookie, undefined);
  });
});

describe('decide: random mode', () => {
  test('uses the injected random source per request, reason random, no cookie', () => {
    const half = route({ enabled: true, percent: 50, mode: 'random' });
    let next = 0.49;
    const d = deps({ random: () => next });
    assert.deepEqual(decide(half, {}, '', d), { backend: 'movies', reason: 'random' });
    next = 0.5;
    assert.deepEqual(decide(half, { 'x-user-id': 'alice' }, '', d), { backend: 'monolith', reason: 'random' });
    next = 0;
    assert.deepEqual(decide(half, {}, '', d), { backend: 'movies', reason: 'random' });
    assert.deepEqual(d.calls, { random: 3, newId: 0 });

    const quarter = route({ enabled: true, percent: 25, mode: 'random' });
    assert.equal(decide(quarter, {}, '', deps({ random: () => 0.2499 })).backend, 'movies');
    assert.equal(decide(quarter, {}, '', deps({ random: () => 0.25 })).backend, 'monolith');
  });

  test('0 % and 100 % are exact whatever the generator returns', () => {
    for (const r of [0, 0.5, 0.999999]) {
      assert.equal(decide(route({ enabled: true, percent: 0, mode: 'random' }), {}, '', deps({ random: () => r })).backend, 'monolith');
      assert.equal(decide(route({ enabled: true, percent: 100, mode: 'random' }), {}, '', deps({ random: () => r })).backend, 'movies');
    }
  });
});

describe('decide: signed override header', () => {
  const all = route({ enabled: true, percent: 100 });
  const off = route({ enabled: false, percent: 0 });

  test('a valid token forces its backend (either way), reason override, even with the migration off', () => {
    const d = deps();
    assert.deepEqual(decide(all, { [OVERRIDE_HEADER]: signOverride('monolith', LATER, SECRET), 'x-user-id': 'alice' }, '', d), {
      backend: 'monolith',
      reason: 'override',
    });
    assert.deepEqual(decide(off, { [OVERRIDE_HEADER]: signOverride('movies', LATER, SECRET) }, '', d), { backend: 'movies', reason: 'override' });
    assert.deepEqual(d.calls, { random: 0, newId: 0 }, 'an override needs no bucket and mints no cookie');
    // Repeated header: the first value counts.
    assert.equal(decide(off, { [OVERRIDE_HEADER]: [signOverride('movies', LATER, SECRET), 'junk'] }, '', deps()).reason, 'override');
  });

  test('expired, unsigned, forged, wrong-secret and other-backend tokens are ignored', () => {
    const ignored = [
      signOverride('monolith', NOW / 1000 - 1, SECRET), // expired
      signOverride('monolith', NOW / 1000, SECRET), // expires exactly now
      'monolith', // unsigned
      `monolith.${LATER}`, // no signature
      `monolith.${LATER}.${'0'.repeat(64)}`, // forged signature
      signOverride('monolith', LATER, 'another-secret-0123456789'), // signed with another secret
      signOverride('events', LATER, SECRET), // a real backend, but not one of this route's two
      signOverride('monolith', LATER, SECRET).replace('monolith', 'movies'), // backend swapped after signing
    ];
    for (const token of ignored) {
      const decision = decide(all, { [OVERRIDE_HEADER]: token, 'x-user-id': 'alice' }, '', deps());
      assert.deepEqual([decision.backend, decision.reason], ['movies', 'bucket'], `token ${token.slice(0, 30)}… must be ignored`);
    }
  });

  test('overrides are ignored when no secret is configured (or it is empty)', () => {
    const token = signOverride('monolith', LATER, SECRET);
    for (const overrideSecret of [undefined, '']) {
      const decision = decide(all, { [OVERRIDE_HEADER]: token, 'x-user-id': 'alice' }, '', deps({ overrideSecret }));
      assert.deepEqual([decision.backend, decision.reason], ['movies', 'bucket']);
    }
  });

  test('a route without migration ignores overrides', () => {
    assert.deepEqual(decide(route(), { [OVERRIDE_HEADER]: signOverride('movies', LATER, SECRET) }, '', deps()), {
      backend: 'monolith',
      reason: 'default',
    });
  });
});
