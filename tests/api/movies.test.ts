import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
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
  const read = await call('GET', `${ctx.stack.movies}/api/movies?id=${created.body.id}`);
  assert.deepEqual(read.body, created.body);
});
