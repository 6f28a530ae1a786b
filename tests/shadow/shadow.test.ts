// Shadow comparison over real HTTP: the real monolith serves, the real movies service behind a
// fault-injecting proxy is the shadow (or the other way round).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { breakerState, metricsText, sample, until } from '../gateway/support.ts';
import { call, setupStack } from '../support/stack.ts';
import { migrateGatewayTables, startFaultProxy, startShadowGateway, type FaultProxy } from './support.ts';

const ctx = setupStack();
let movies: FaultProxy;

type Movie = { id: number; rating: number; [k: string]: unknown };
const compared = (gw: Awaited<ReturnType<typeof startShadowGateway>>, n: number) => () => {
  const total = gw.gateway.shadow.stats.endpoints('movies').reduce((sum, e) => sum + e.compared + e.errors + e.tooLarge! + e.dropped, 0);
  return total >= n;
};

describe('shadow comparison', () => {
  before(async () => {
    await migrateGatewayTables(ctx.db.database);
    movies = await startFaultProxy(ctx.stack.movies);
  });
  after(async () => {
    await movies?.close();
  });

  test('a changed rating on one movie is caught with its pointer and values; the client gets the monolith answer byte for byte', async () => {
    movies.fault = { kind: 'alter', change: (body) => (body as Movie[]).map((m) => (m.id === 2 ? { ...m, rating: m.rating + 1 } : m)) };
    const gw = await startShadowGateway({ monolith: ctx.stack.monolith, movies: movies.url }, {}, { database: ctx.db.database });
    try {
      movies.seen.length = 0;
      const direct = await call('GET', `${ctx.stack.monolith}/api/movies`);
      const res = await call('GET', `${gw.url}/api/movies`, undefined, { authorization: 'Bearer secret', cookie: 'a=b' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-served-by'), 'monolith');
      assert.equal(res.text, direct.text, 'the client answer is the monolith answer, unchanged');
      await until('the comparison', compared(gw, 1), 10_000);

      const index = (direct.body as Movie[]).findIndex((m) => m.id === 2);
      const rating = (direct.body as Movie[])[index]!.rating;
      const [mismatch] = gw.gateway.shadow.stats.recent('movies');
      assert.deepEqual(mismatch!.diff, [{ pointer: `/${index}/rating`, old: rating, new: rating + 1 }]);
      assert.equal(mismatch!.endpoint, 'GET /api/movies');
      assert.deepEqual(mismatch!.primary, { backend: 'monolith', status: 200 });
      assert.deepEqual(mismatch!.shadow, { backend: 'movies', status: 200 });
      assert.equal(mismatch!.request.path, '/api/movies');
      assert.equal(mismatch!.request.headers['authorization'], undefined, 'credentials are never kept');
      assert.equal(mismatch!.request.headers['cookie'], undefined);

      assert.equal(movies.seen.length, 1, 'the shadow reached the movies service once');
      assert.equal(movies.seen[0]!['x-cinemaabyss-shadow'], '1');
      assert.equal(sample(await metricsText(gw.url), 'gateway_shadow_requests_total', { route: 'movies', result: 'mismatched' }), 1);

      // One movie asked for: the same field at the document's root.
      movies.fault = { kind: 'alter', change: (body) => ({ ...(body as Movie), rating: (body as Movie).rating + 1 }) };
      await call('GET', `${gw.url}/api/movies?id=2`);
      await until('the second comparison', compared(gw, 2), 10_000);
      assert.deepEqual(gw.gateway.shadow.stats.recent('movies')[0]!.diff, [{ pointer: '/rating', old: rating, new: rating + 1 }]);

      // Stored for every replica to read: the report reads the database.
      await until('the mismatches stored', async () => (await gw.gateway.shadow.reporter.report('movies')).mismatches.length === 2, 10_000);
      const report = await gw.gateway.shadow.reporter.report('movies');
      assert.equal(report.mismatches[0]!.endpoint, 'GET /api/movies?id');
      assert.deepEqual(report.mismatches[1]!.diff, [{ pointer: `/${index}/rating`, old: rating, new: rating + 1 }]);
      assert.equal(report.matchRate, 0);
    } finally {
      await gw.close();
      movies.fault = { kind: 'none' };
    }
  });

  test('identical answers match; sets and ignored pointers follow the route rules', async () => {
    movies.fault = {
      kind: 'alter',
      change: (body) => (body as Movie[]).map((m) => ({ ...m, genres: [...(m['genres'] as string[])].reverse(), description: 'rewritten' })),
    };
    const gw = await startShadowGateway({ monolith: ctx.stack.monolith, movies: movies.url }, { sets: ['/*/genres'], ignore: ['/*/description'] });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await call('GET', `${gw.url}/api/movies?genre=drama`)).status, 200);
      assert.equal((await call('HEAD', `${gw.url}/api/movies`)).status, 200);
      await until('the comparisons', compared(gw, 4), 10_000);
      const endpoints = gw.gateway.shadow.stats.endpoints('movies');
      assert.deepEqual(
        endpoints.map((e) => [e.endpoint, e.matched, e.mismatched]),
        [
          ['GET /api/movies?genre', 3, 0],
          ['HEAD /api/movies', 1, 0],
        ],
      );
      assert.equal((await gw.gateway.shadow.reporter.report('movies')).matchRate, 1);
    } finally {
      await gw.close();
      movies.fault = { kind: 'none' };
    }
  });

  test('a field the serving backend changes on every answer is learned as noise (twicePercent)', async () => {
    // The movies service serves (migrated), the monolith is the shadow: both stamp a random served_at.
    let n = 0;
    const stamp = (body: unknown) => (body as Movie[]).map((m) => ({ ...m, served_at: `${Date.now()}-${n++}` }));
    movies.fault = { kind: 'alter', change: stamp };
    const monolith = await startFaultProxy(ctx.stack.monolith);
    monolith.fault = { kind: 'alter', change: stamp };
    const live = { stage: 'migrated' as const, percent: 100 };
    const learning = await startShadowGateway({ monolith: monolith.url, movies: movies.url }, { twicePercent: 100 }, { live });
    const naive = await startShadowGateway({ monolith: monolith.url, movies: movies.url }, { twicePercent: 0 }, { live });
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await call('GET', `${learning.url}/api/movies?limit=2`)).headers.get('x-served-by'), 'movies');
        await call('GET', `${naive.url}/api/movies?limit=2`);
      }
      await until('the comparisons', () => compared(learning, 3)() && compared(naive, 3)(), 10_000);
      const [learned] = learning.gateway.shadow.stats.endpoints('movies');
      assert.equal(learned!.noise, 3);
      assert.equal(learned!.mismatched, 0);
      assert.deepEqual(learned!.noisy.sort(), ['/0/served_at', '/1/served_at']);
      assert.equal(sample(await metricsText(learning.url), 'gateway_shadow_requests_total', { route: 'movies', result: 'noise' }), 3);
      const [unlearned] = naive.gateway.shadow.stats.endpoints('movies');
      assert.equal(unlearned!.mismatched, 3, 'without the noise sample the same differences are mismatches');
    } finally {
      await Promise.all([learning.close(), naive.close()]);
      await monolith.close();
      movies.fault = { kind: 'none' };
    }
  });

  test('shadows over the bound are dropped, not queued; a hanging shadow never delays the client', async () => {
    movies.fault = { kind: 'hang' };
    movies.seen.length = 0;
    const gw = await startShadowGateway({ monolith: ctx.stack.monolith, movies: movies.url }, { maxConcurrent: 2, timeoutMs: 60_000 });
    try {
      for (let i = 0; i < 6; i++) {
        const res = await call('GET', `${gw.url}/api/movies?id=1`);
        assert.equal(res.status, 200, 'answered by the monolith while its shadow hangs');
      }
      await until('two shadows at the movies service', () => movies.seen.length === 2, 10_000);
      const [entry] = gw.gateway.shadow.stats.endpoints('movies');
      assert.equal(entry!.dropped, 4);
      movies.release();
      await until('the held shadows compared', () => gw.gateway.shadow.stats.endpoints('movies')[0]!.matched === 2, 10_000);
      assert.equal(movies.seen.length, 2, 'the dropped shadows were never sent later');
      assert.equal(sample(await metricsText(gw.url), 'gateway_shadow_requests_total', { route: 'movies', result: 'dropped' }), 4);
    } finally {
      await gw.close();
      movies.release();
    }
  });

  test("failing or timed-out shadows are errors, never counted against the backend's breaker", async () => {
    const gw = await startShadowGateway({ monolith: ctx.stack.monolith, movies: movies.url }, { timeoutMs: 200 }, { breaker: { consecutiveFailures: 2 } });
    try {
      movies.fault = { kind: 'reset' };
      for (let i = 0; i < 5; i++) assert.equal((await call('GET', `${gw.url}/api/movies?id=1`)).status, 200);
      await until('the reset shadows', compared(gw, 5), 10_000);
      movies.fault = { kind: 'hang' };
      for (let i = 0; i < 3; i++) assert.equal((await call('GET', `${gw.url}/api/movies?id=1`)).status, 200);
      await until('the timed-out shadows', compared(gw, 8), 10_000);
      assert.equal(gw.gateway.shadow.stats.endpoints('movies')[0]!.errors, 8);
      assert.equal(await breakerState(gw.url, 'movies'), 0, 'the movies breaker stays closed');
      assert.equal(await breakerState(gw.url, 'monolith'), 0);
    } finally {
      await gw.close();
      movies.release();
    }
  });

  test('conditional requests are not mirrored: a 304 for an ETag is caching, not a mismatch', async () => {
    const gw = await startShadowGateway({ monolith: ctx.stack.monolith, movies: movies.url }, {});
    try {
      movies.seen.length = 0;
      const conditional = await call('GET', `${gw.url}/api/movies`, undefined, { 'if-none-match': '"an-etag-of-the-movies-service"' });
      assert.equal(conditional.status, 200);
      assert.equal((await call('GET', `${gw.url}/api/movies?limit=1`)).status, 200);
      await until('the comparison', compared(gw, 1), 10_000);
      assert.deepEqual(
        movies.seen.map((h) => h['if-none-match']),
        [undefined],
        'only the unconditional GET reached the shadow',
      );
      assert.equal(
        gw.gateway.shadow.stats.endpoints('movies').reduce((sum, e) => sum + e.mismatched, 0),
        0,
      );
    } finally {
      await gw.close();
    }
  });

  test('answers over maxBodyBytes are not compared; requests with a body are never mirrored', async () => {
    const gw = await startShadowGateway({ monolith: ctx.stack.monolith, movies: movies.url }, { maxBodyBytes: 10, methods: ['GET', 'POST'] });
    try {
      movies.seen.length = 0;
      await call('GET', `${gw.url}/api/movies`);
      await until('the comparison', compared(gw, 1), 10_000);
      assert.equal(gw.gateway.shadow.stats.endpoints('movies')[0]!.tooLarge, 1);
      const created = await call('POST', `${gw.url}/api/movies`, { title: 'Shadowless', description: 'd', genres: [], rating: 5 });
      assert.equal(created.status, 201);
      assert.equal(movies.seen.length, 1, 'the POST was not replayed on the movies service');
    } finally {
      await gw.close();
    }
  });
});
