// The movies service's cached catalogue: ETag / If-None-Match, and invalidation by writes made
// through this service, through the monolith (another process's write, announced by the tables'
// trigger) and through another replica, on PGlite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { listen, type App } from '@cinemaabyss/http';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { call, quietLogger, setupStack } from '../support/stack.ts';

const ctx = setupStack();

/** Polls until `check` passes: another process's write arrives by notification, not at once. */
async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const list = (base: string, query = '', headers: Record<string, string> = {}) => call('GET', `${base}/api/movies${query}`, undefined, headers);
const ids = (body: { id: number }[]) => body.map((m) => m.id);
let serial = 0;
const movie = (where: string) => ({ title: `Cached ${where} ${++serial}`, description: '', genres: ['Noir'], rating: 7 });

describe('cached catalogue', () => {
  test('the list is the monolith’s, byte for byte, with a strong ETag and X-Total-Count', async () => {
    const [cached, reference] = await Promise.all([list(ctx.stack.movies), list(ctx.stack.monolith)]);
    assert.equal(cached.status, 200);
    assert.equal(cached.text, reference.text);
    assert.equal(cached.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.match(cached.headers.get('etag') ?? '', /^"[\w.-]+"$/);
    assert.equal(cached.headers.get('x-total-count'), String(cached.body.length));
    assert.equal((await list(ctx.stack.movies)).headers.get('etag'), cached.headers.get('etag'), 'stable while nothing changes');
  });

  test('If-None-Match with the current tag answers 304 without a body, in every form RFC 9110 allows', async () => {
    const { headers } = await list(ctx.stack.movies);
    const etag = headers.get('etag')!;
    for (const sent of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await list(ctx.stack.movies, '', { 'if-none-match': sent });
      assert.equal(res.status, 304, sent);
      assert.equal(res.text, '');
      assert.equal(res.headers.get('content-length'), null, 'a 304 announces no body');
      assert.equal(res.headers.get('etag'), etag);
    }
    const other = await list(ctx.stack.movies, '', { 'if-none-match': '"not-the-tag"' });
    assert.equal(other.status, 200);
    assert.ok(other.body.length >= 5);
  });

  test('limit/offset pages come from the catalogue with their own tags; filtered lists from the database', async () => {
    const page = await list(ctx.stack.movies, '?limit=2&offset=1');
    assert.deepEqual(ids(page.body), [2, 3]);
    assert.equal(page.text, (await list(ctx.stack.monolith, '?limit=2&offset=1')).text);
    const etag = page.headers.get('etag')!;
    assert.notEqual(etag, (await list(ctx.stack.movies)).headers.get('etag'));
    assert.equal((await list(ctx.stack.movies, '?limit=2&offset=1', { 'if-none-match': etag })).status, 304);
    assert.equal((await list(ctx.stack.movies, '?limit=3&offset=1', { 'if-none-match': etag })).status, 200);
    const crime = await list(ctx.stack.movies, '?genre=crime');
    assert.deepEqual(ids(crime.body), [2, 3, 4]);
  });

  test('a write through the movies service shows in its very next list, under a new ETag', async () => {
    const before = await list(ctx.stack.movies);
    const created = await call('POST', `${ctx.stack.movies}/api/movies`, movie('movies'));
    assert.equal(created.status, 201);
    const after = await list(ctx.stack.movies, '', { 'if-none-match': before.headers.get('etag')! });
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.at(-1), created.body);
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
    assert.equal(after.headers.get('x-total-count'), String(before.body.length + 1));
  });

  test('a write through the monolith reaches the cached list by notification', async () => {
    const before = await list(ctx.stack.movies);
    const created = await call('POST', `${ctx.stack.monolith}/api/movies`, movie('monolith'));
    assert.equal(created.status, 201);
    await eventually(async () => {
      const after = await list(ctx.stack.movies, '', { 'if-none-match': before.headers.get('etag')! });
      assert.equal(after.status, 200);
      assert.deepEqual(after.body.at(-1), created.body);
    });
  });

  describe('two movies replicas', () => {
    let second: { app: App; url: string };
    before(async () => {
      const app = await buildMoviesApp({ database: await ctx.db.reopen(), logger: quietLogger() });
      second = { app, url: await listen(app, 0, '127.0.0.1') };
    });
    after(() => second.app.close());

    test('a write through one replica reaches the other; converged, both give the same ETag', async () => {
      const [a, b] = await Promise.all([list(ctx.stack.movies), list(second.url)]);
      assert.equal(a.headers.get('etag'), b.headers.get('etag'));
      const created = await call('POST', `${ctx.stack.movies}/api/movies`, movie('replica'));
      assert.equal(created.status, 201);
      await eventually(async () => {
        const seen = await list(second.url, '', { 'if-none-match': b.headers.get('etag')! });
        assert.equal(seen.status, 200);
        assert.deepEqual(seen.body.at(-1), created.body);
      });
      const [a2, b2] = await Promise.all([list(ctx.stack.movies), list(second.url)]);
      assert.equal(a2.text, b2.text);
      assert.equal(a2.headers.get('etag'), b2.headers.get('etag'));
    });
  });

  describe('a lost notification', () => {
    let rechecking: { app: App; url: string };
    before(async () => {
      const app = await buildMoviesApp({ database: await ctx.db.reopen(), logger: quietLogger(), catalogueRecheckMs: 200 });
      rechecking = { app, url: await listen(app, 0, '127.0.0.1') };
    });
    after(() => rechecking.app.close());

    test('is made good by the periodic re-check', async () => {
      const before = await list(rechecking.url);
      const { db } = ctx.db.database;
      // A write that announces nothing, as if its notification had been lost.
      await db.execute(sql`alter table movies disable trigger movies_changed`);
      await db.execute(sql`alter table movie_genres disable trigger movie_genres_changed`);
      try {
        await db.execute(sql`insert into movies (title, description, rating) values ('Unannounced', '', 5)`);
      } finally {
        await db.execute(sql`alter table movies enable trigger movies_changed`);
        await db.execute(sql`alter table movie_genres enable trigger movie_genres_changed`);
      }
      await eventually(async () => {
        const after = await list(rechecking.url, '', { 'if-none-match': before.headers.get('etag')! });
        assert.equal(after.status, 200);
        assert.equal(after.body.at(-1).title, 'Unannounced');
      });
    });
  });
});
