import assert from 'node:assert/strict';
import { test } from 'node:test';
import Type from 'typebox';
import { HttpError, createServer, oneOrMany } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';

const logger = createLogger('test', { level: 'silent', async: false });

async function app(isUnavailable = (e: unknown) => (e as Error).message === 'db down') {
  const server = await createServer({
    service: 'test',
    title: 'test',
    logger,
    healthPath: '/health',
    readyPath: '/ready',
    readiness: { dependency: async () => Promise.reject(new Error('nope')) },
    isUnavailable,
    bodyLimit: 100,
  });
  const Item = Type.Object({ id: Type.Integer(), at: Type.String({ format: 'date-time' }) });
  const out = oneOrMany(Item);
  server.get('/sql', async () => {
    throw new Error('relation "users" does not exist: SELECT * FROM users WHERE password = $1');
  });
  server.get('/down', async () => {
    throw new Error('db down');
  });
  server.get('/teapot', async () => {
    throw new HttpError(418, 'short and stout');
  });
  server.get('/items', async (request, reply) => {
    const rows = [{ id: 1, at: new Date(0).toISOString(), secret: 'x' }];
    return 'one' in (request.query as object) ? out.one(reply, rows[0]!) : out.many(reply, rows);
  });
  server.post('/echo', { schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) } }, async (r) => r.body);
  return server;
}

test('internal errors are a generic 500: no SQL, no stack', async () => {
  const server = await app();
  const res = await server.inject('/sql');
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { error: 'internal server error' });
  assert.doesNotMatch(res.body, /SELECT|users|stack/);
});

test('dependency failures are 503', async () => {
  const res = await (await app()).inject('/down');
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { error: 'service temporarily unavailable' });
});

test('HttpError passes its status and message through', async () => {
  const res = await (await app()).inject('/teapot');
  assert.equal(res.statusCode, 418);
  assert.deepEqual(res.json(), { error: 'short and stout' });
});

test('one-or-many serializers drop undeclared fields and set JSON content type', async () => {
  const server = await app();
  const many = await server.inject('/items');
  assert.match(many.headers['content-type'] as string, /application\/json/);
  assert.deepEqual(many.json(), [{ id: 1, at: '1970-01-01T00:00:00.000Z' }]);
  assert.deepEqual((await server.inject('/items?one')).json(), { id: 1, at: '1970-01-01T00:00:00.000Z' });
});

test('validation messages name the field; bodies are not coerced', async () => {
  const server = await app();
  const wrong = await server.inject({ method: 'POST', url: '/echo', payload: { n: '5' } });
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.json().error, 'body.n must be integer');
  const extra = await server.inject({ method: 'POST', url: '/echo', payload: { n: 5, m: 1 } });
  assert.equal(extra.json().error, "body has unknown field 'm'");
  const large = await server.inject({ method: 'POST', url: '/echo', payload: { n: 1, pad: 'x'.repeat(200) } });
  assert.equal(large.statusCode, 400);
  assert.match(large.json().error, /larger than 100 bytes/);
});

test('405 with Allow for known paths, 404 otherwise', async () => {
  const server = await app();
  const res = await server.inject({ method: 'DELETE', url: '/echo' });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers['allow'], 'POST');
  assert.equal((await server.inject('/nope')).statusCode, 404);
});

test('readiness is 503 when a check fails; liveness is 200', async () => {
  const server = await app();
  const ready = await server.inject('/ready');
  assert.equal(ready.statusCode, 503);
  assert.deepEqual(ready.json(), { status: false, checks: { dependency: 'unavailable' } });
  assert.deepEqual((await server.inject('/health')).json(), { status: true });
});

test('request ids are taken from X-Request-Id or generated', async () => {
  const server = await app();
  let seen = '';
  server.addHook('onRequest', async (request) => {
    seen = request.id;
  });
  await server.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
  assert.equal(seen, 'abc-123');
});
