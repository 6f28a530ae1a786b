import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../support/events-stack.ts';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();

// The monolith and the movies service must serve the movie part identically.
for (const service of ['monolith', 'movies'] as const) {
  const movies = () => `${ctx.stack[service]}/api/movies`;

  describe(`movies on the ${service}`, () => {
    test('lists movies with genres arrays, in id order', async () => {
      const res = await call('GET', movies());
      assert.equal(res.status, 200);
      assert.ok(res.body.length >= 5);
      assert.deepEqual(res.body[1], {
        id: 2,
        title: 'The Godfather',
        description: res.body[1].description,
        genres: ['Crime', 'Drama'],
        rating: 9.2,
      });
      for (const movie of res.body) {
        assert.deepEqual(Object.keys(movie).sort(), ['description', 'genres', 'id', 'rating', 'title']);
        assert.ok(Array.isArray(movie.genres));
      }
      const ids = res.body.map((m: { id: number }) => m.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
    });

    test('?id=N returns one movie; unknown is 404', async () => {
      const one = await call('GET', `${movies()}?id=3`);
      assert.equal(one.status, 200);
      assert.equal(one.body.title, 'The Dark Knight');
      assert.deepEqual(one.body.genres, ['Action', 'Crime', 'Drama']);
      assert.equal((await call('GET', `${movies()}?id=424242`)).status, 404);
    });

    test('POST creates a movie, with or without genres', async () => {
      const created = await call('POST', movies(), {
        title: `Alien (${service})`,
        description: 'In space no one can hear you scream.',
        genres: ['Sci-Fi', 'Horror'],
        rating: 8.5,
      });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.genres, ['Horror', 'Sci-Fi']);
      assert.equal(created.body.rating, 8.5);
      const read = await call('GET', `${movies()}?id=${created.body.id}`);
      assert.deepEqual(read.body, created.body);

      const bare = await call('POST', movies(), { title: 'Untitled', description: '', rating: 0 });
      assert.equal(bare.status, 201);
      assert.deepEqual(bare.body.genres, []);
      assert.equal(bare.body.rating, 0);
    });

    test('genre filter is case-insensitive; limit and offset page the list', async () => {
      const crime = await call('GET', `${movies()}?genre=crime`);
      assert.equal(crime.status, 200);
      assert.deepEqual(
        crime.body.map((m: { id: number }) => m.id),
        [2, 3, 4],
      );
      for (const movie of crime.body) assert.ok(movie.genres.includes('Crime'));
      const page = await call('GET', `${movies()}?limit=2&offset=1`);
      assert.deepEqual(
        page.body.map((m: { id: number }) => m.id),
        [2, 3],
      );
      const none = await call('GET', `${movies()}?genre=western`);
      assert.deepEqual(none.body, []);
    });

    test('title search is a case-insensitive substring, combined with genre; X-Total-Count ignores the page', async () => {
      const all = await call('GET', movies());
      assert.equal(all.headers.get('x-total-count'), String(all.body.length));

      const god = await call('GET', `${movies()}?title=GODFATHER`);
      assert.equal(god.status, 200);
      assert.deepEqual(
        god.body.map((m: { title: string }) => m.title),
        ['The Godfather'],
      );
      assert.equal(god.headers.get('x-total-count'), '1');

      const the = await call('GET', `${movies()}?title=the`);
      const titled = all.body.filter((m: { title: string }) => m.title.toLowerCase().includes('the'));
      assert.deepEqual(the.body, titled);
      const page = await call('GET', `${movies()}?title=the&limit=1&offset=1`);
      assert.deepEqual(page.body, titled.slice(1, 2));
      assert.equal(page.headers.get('x-total-count'), String(titled.length));

      const both = await call('GET', `${movies()}?title=dark&genre=action`);
      assert.deepEqual(
        both.body.map((m: { id: number }) => m.id),
        [3],
      );
      assert.equal(both.headers.get('x-total-count'), '1');

      // Without a limit too: from an offset, and past the end.
      const rest = await call('GET', `${movies()}?genre=crime&offset=1`);
      assert.deepEqual(
        rest.body.map((m: { id: number }) => m.id),
        [3, 4],
      );
      assert.equal(rest.headers.get('x-total-count'), '3');
      const beyond = await call('GET', `${movies()}?offset=100000`);
      assert.deepEqual(beyond.body, []);
      assert.equal(beyond.headers.get('x-total-count'), String(all.body.length));
      // A page past the end is empty and still counts every match.
      const past = await call('GET', `${movies()}?genre=crime&limit=2&offset=50`);
      assert.deepEqual(past.body, []);
      assert.equal(past.headers.get('x-total-count'), '3');
      const none = await call('GET', `${movies()}?title=no%20such%20film`);
      assert.deepEqual(none.body, []);
      assert.equal(none.headers.get('x-total-count'), '0');
      // `?id=N` answers one movie, not a list: no count.
      assert.equal((await call('GET', `${movies()}?id=1`)).headers.get('x-total-count'), null);
    });

    test('title search matches LIKE wildcards literally; bad titles are 400', async () => {
      const odd = await call('POST', movies(), { title: `100% Wolf_${service}`, description: '', rating: 5 });
      assert.equal(odd.status, 201);
      for (const text of ['%', '_']) {
        const res = await call('GET', `${movies()}?title=${encodeURIComponent(text)}`);
        assert.ok(
          res.body.some((m: { id: number }) => m.id === odd.body.id),
          text,
        );
        for (const movie of res.body) assert.ok(movie.title.includes(text), `${movie.title} for ${text}`);
      }
      for (const text of [`0% wolf_${service}`, `F_${service}`]) {
        const res = await call('GET', `${movies()}?title=${encodeURIComponent(text)}`);
        assert.deepEqual(
          res.body.map((m: { id: number }) => m.id),
          [odd.body.id],
          text,
        );
      }
      for (const bad of ['', '%00', 'x'.repeat(256)]) {
        const res = await call('GET', `${movies()}?title=${bad}`);
        assert.equal(res.status, 400, `title=${bad.slice(0, 10)}`);
        assert.match(res.body.error, /title/);
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      }
    });

    test('health answers {"status": true}', async () => {
      const res = await call('GET', `${movies()}/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: true });
    });

    test('rating outside 0..10 is refused', async () => {
      for (const rating of [-0.1, 10.5, 'high', null]) {
        const res = await call('POST', movies(), { title: 'Bad', description: 'x', rating });
        assert.equal(res.status, 400, `rating ${String(rating)}`);
        assert.equal(typeof res.body.error, 'string');
      }
    });
  });
}

test('a movie written through one service is read through the other (shared tables)', async () => {
  const created = await call('POST', `${ctx.stack.monolith}/api/movies`, {
    title: 'Heat',
    description: 'A group of professional bank robbers.',
    genres: ['Crime'],
    rating: 8.3,
  });
  const read = () => call('GET', `${ctx.stack.movies}/api/movies?id=${created.body.id}`);
  // From data phase 4 (MOVIES_DATA_PHASE) the movies service reads its own copy, which change
  // capture brings up to date within moments: the other service's write shows up, not at once.
  if (Number(process.env['MOVIES_DATA_PHASE'] ?? 0) >= 4) await eventually(async () => (await read()).status === 200, 10_000, 'the copy');
  assert.deepEqual((await read()).body, created.body);
});
