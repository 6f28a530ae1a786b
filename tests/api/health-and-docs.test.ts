import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectPostgres, openPglite, type Database } from '@cinemaabyss/db';
import { backend } from '../support/backend.ts';
import { call, setupStack, startStack } from '../support/stack.ts';

const ctx = setupStack();

describe('health, readiness, OpenAPI', () => {
  test('monolith /health and /ready', async () => {
    assert.deepEqual((await call('GET', `${ctx.stack.monolith}/health`)).body, { status: true });
    const ready = await call('GET', `${ctx.stack.monolith}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: true, checks: { database: 'ok' } });
  });

  test('movies /api/movies/health and /api/movies/ready', async () => {
    assert.deepEqual((await call('GET', `${ctx.stack.movies}/api/movies/health`)).body, { status: true });
    assert.equal((await call('GET', `${ctx.stack.movies}/api/movies/ready`)).status, 200);
  });

  test('each service serves an OpenAPI 3 document built from its route schemas', async () => {
    const monolith = (await call('GET', `${ctx.stack.monolith}/openapi.json`)).body;
    assert.match(monolith.openapi, /^3\./);
    for (const path of ['/api/users', '/api/movies', '/api/payments', '/api/subscriptions', '/health']) {
      assert.ok(monolith.paths[path], `monolith documents ${path}`);
    }
    const create = monolith.paths['/api/users'].post.requestBody.content['application/json'].schema;
    assert.deepEqual([...create.required].sort(), ['email', 'username']);
    assert.equal(create.additionalProperties, false);
    const movies = (await call('GET', `${ctx.stack.movies}/openapi.json`)).body;
    assert.ok(movies.paths['/api/movies'].get && movies.paths['/api/movies'].post);
    assert.equal(movies.paths['/api/users'], undefined);
    // Both document the list's count header and the title filter.
    for (const doc of [monolith, movies]) {
      const list = doc.paths['/api/movies'].get;
      assert.equal(list.responses['200'].headers['x-total-count'].schema.pattern, '^(?:0|[1-9][0-9]*)$');
      assert.ok(list.parameters.some((p: { name: string; in: string }) => p.name === 'title' && p.in === 'query'));
    }
  });

  test('Prometheus metrics are exposed', async () => {
    const res = await call('GET', `${ctx.stack.monolith}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.text, /http_request_duration_seconds_bucket/);
  });
});

/** A database handle whose server is gone: a stopped PostgreSQL, or a closed PGlite. */
async function deadDatabase(): Promise<Database> {
  if (backend() === 'postgres') return connectPostgres({ url: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMs: 500 });
  const database = await openPglite();
  await database.close();
  return database;
}

describe('database down', () => {
  test('reads and writes answer 503 with a generic error; readiness is 503; liveness stays 200', async () => {
    const stack = await startStack(await deadDatabase());
    try {
      for (const [method, path, body] of [
        ['GET', '/api/users', undefined],
        ['POST', '/api/users', { username: 'x', email: 'x@example.com' }],
        ['GET', '/api/movies?id=1', undefined],
        ['POST', '/api/payments', { user_id: 1, amount: 5 }],
      ] as const) {
        const res = await call(method, `${stack.monolith}${path}`, body);
        assert.equal(res.status, 503, `${method} ${path}: ${res.text}`);
        assert.deepEqual(res.body, { error: 'service temporarily unavailable' });
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.doesNotMatch(res.text, /select|insert|postgres|at .*\.ts/i);
      }
      const ready = await call('GET', `${stack.monolith}/ready`);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.checks.database, 'unavailable');
      assert.equal(ready.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal((await call('GET', `${stack.movies}/api/movies/ready`)).status, 503);
      assert.equal((await call('GET', `${stack.monolith}/health`)).status, 200);
    } finally {
      await stack.close();
    }
  });
});
