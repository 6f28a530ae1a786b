import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import Type from 'typebox';
import { conflict, createServer, listen, oneOrMany } from '@cinemaabyss/http';
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
  server.get('/taken', async () => {
    throw conflict('already taken');
  });
  server.get('/unserialisable', { schema: { response: { 200: Item } } }, async () => ({ id: 1, at: new Date(Number.NaN) as unknown as string }));
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

test('coded errors pass their status and message through', async () => {
  const res = await (await app()).inject('/taken');
  assert.equal(res.statusCode, 409);
  assert.deepEqual(res.json(), { error: 'already taken' });
});

test('an answer that cannot be serialised is a generic 500', async () => {
  const res = await (await app()).inject('/unserialisable');
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { error: 'internal server error' });
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
  assert.equal(large.statusCode, 413);
  assert.match(large.json().error, /larger than 100 bytes/);
});

test('405 with Allow for known paths, 404 otherwise', async () => {
  const server = await app();
  const res = await server.inject({ method: 'DELETE', url: '/echo' });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers['allow'], 'OPTIONS, POST');
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

const JSON_TYPE = 'application/json; charset=utf-8';

test('every error answer is {"error"} JSON with a utf-8 content type', async () => {
  const server = await app();
  const cases: [string, string, number, Record<string, string>?, string?][] = [
    ['GET', '/sql', 500],
    ['GET', '/down', 503],
    ['GET', '/taken', 409],
    ['GET', '/nope', 404],
    ['DELETE', '/echo', 405],
    ['POST', '/echo', 400, { 'content-type': 'application/json' }, '{"n": '],
    ['POST', '/echo', 400, { 'content-type': 'application/json' }, '{"n": "1"}'],
    ['POST', '/echo', 413, { 'content-type': 'application/json' }, `{"n": 1, "p": "${'x'.repeat(200)}"}`],
    ['POST', '/echo', 415, { 'content-type': 'text/plain' }, '{"n": 1}'],
  ];
  for (const [method, url, status, headers, payload] of cases) {
    const res = await server.inject({ method: method as 'GET', url, ...(headers ? { headers } : {}), ...(payload ? { payload } : {}) });
    assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
    assert.equal(res.headers['content-type'], JSON_TYPE, `${method} ${url}`);
    assert.deepEqual(Object.keys(res.json()), ['error'], `${method} ${url}`);
  }
});

test('a method a known path does not serve is 405 whatever the headers; OPTIONS lists the same Allow', async () => {
  const server = await app();
  for (const headers of [{}, { 'content-type': 'application/json' }, { 'content-type': 'text/csv', 'content-encoding': 'gzip' }]) {
    for (const method of ['QUERY', 'PUT', 'DELETE', 'PATCH', 'GET', 'HEAD'] as const) {
      const res = await server.inject({ method: method as 'PUT', url: '/echo', headers, payload: method === 'GET' || method === 'HEAD' ? undefined : 'x' });
      assert.equal(res.statusCode, 405, `${method} ${JSON.stringify(headers)}: ${res.body}`);
      assert.equal(res.headers['allow'], 'OPTIONS, POST');
    }
  }
  const options = await server.inject({ method: 'OPTIONS', url: '/health/' });
  assert.equal(options.statusCode, 204);
  assert.equal(options.headers['allow'], 'GET, HEAD, OPTIONS');
  assert.equal((await server.inject({ method: 'HEAD', url: '/health' })).statusCode, 200);
  assert.equal((await server.inject({ method: 'QUERY' as 'GET', url: '/nowhere' })).statusCode, 404);
});

test('compressed bodies, other charsets and other media types are 415; bytes that are not UTF-8 are 400', async () => {
  const server = await app();
  const post = (headers: Record<string, string>, payload: string | Buffer = '{"n": 1}') => server.inject({ method: 'POST', url: '/echo', headers, payload });
  for (const encoding of ['gzip', 'br', 'deflate', 'x-unknown', 'identity, gzip', 'gzip, identity']) {
    const res = await post({ 'content-type': 'application/json', 'content-encoding': encoding });
    assert.equal(res.statusCode, 415, encoding);
    assert.match(res.json().error, /content-encoding/);
  }
  for (const type of [
    'application/json; charset=latin1',
    'application/json; charset="ISO-8859-1"',
    'application/json; CHARSET=utf-16',
    'application/json; charset=nonsense',
  ]) {
    const res = await post({ 'content-type': type });
    assert.equal(res.statusCode, 415, type);
    assert.match(res.json().error, /utf-8/);
  }
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'multipart/form-data; boundary=x']) {
    assert.equal((await post({ 'content-type': type })).statusCode, 415, type);
  }
  for (const headers of [
    { 'content-type': 'application/json', 'content-encoding': '' },
    { 'content-type': 'application/json; charset=UTF-8' },
    { 'content-type': 'Application/JSON; charset="utf-8"' },
    { 'content-type': 'application/json', 'content-encoding': 'identity' },
  ] as Record<string, string>[]) {
    assert.equal((await post(headers)).statusCode, 200, JSON.stringify(headers));
  }
  const latin1 = await post({ 'content-type': 'application/json' }, Buffer.from([0x7b, 0x22, 0x6e, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
  assert.equal(latin1.statusCode, 400);
  assert.equal(latin1.json().error, 'request body is not valid UTF-8');
});

test('the OpenAPI document lists the shared error answers on every route', async () => {
  const server = await app();
  const doc = (await server.inject('/openapi.json')).json() as { paths: Record<string, Record<string, { responses: object }>> };
  const codes = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses).sort();
  assert.deepEqual(codes('/echo', 'post'), ['400', '405', '413', '415', '500', '503']);
  assert.deepEqual(codes('/health', 'get'), ['200', '400', '405', '500', '503']);
  assert.ok(doc.paths['/ready']!['get']!.responses['503' as keyof object], 'readiness keeps its own 503');
  assert.equal(doc.paths['/metrics'], undefined, 'hidden routes stay hidden');
});

/** Writes `request` on a fresh connection and returns everything the server sent before closing. */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

test('requests that never reach a route (unknown method, huge headers, bad URL, CONNECT) get JSON errors too', async () => {
  const server = await app();
  const url = await listen(server, 0, '127.0.0.1');
  try {
    for (const [request, status] of [
      ['BREW /health HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['GET /health%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
      ['CONNECT /health HTTP/1.1\r\nHost: x\r\n\r\n', 405],
      ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 404],
    ] as const) {
      const answer = await raw(url, request);
      assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), request.slice(0, 40));
      assert.match(answer, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
      assert.deepEqual(Object.keys(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))), ['error']);
      if (status === 405) assert.match(answer, /\r\nallow: GET, HEAD, OPTIONS\r\n/i);
    }
  } finally {
    await server.close();
  }
});
