// Every route of every service, read from its own OpenAPI document: the error answers it gives are
// `{"error": "..."}` JSON with a utf-8 Content-Type, and every status provoked here is documented
// for that operation (405s on every operation of the path).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setupEventsStack } from '../support/events-stack.ts';
import { call, type Answer } from '../support/stack.ts';

const ctx = setupEventsStack();

interface Operation {
  parameters?: { in: string; name: string; schema?: { type?: string } }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

interface Provocation {
  name: string;
  method: string;
  url: string;
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const big = `{"padding": "${'x'.repeat(1024 * 1024)}"}`;

/** Requests each operation must refuse, derived from what its document says it accepts. */
function provocations(path: string, method: string, op: Operation): Provocation[] {
  const at = { method: method.toUpperCase(), url: path };
  const list: Provocation[] = [
    { name: 'QUERY without a body type', method: 'QUERY', url: path, status: 405 },
    {
      name: 'PUT with an odd, compressed body',
      method: 'PUT',
      url: path,
      status: 405,
      body: 'x',
      headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' },
    },
  ];
  for (const p of op.parameters ?? []) {
    if (p.in === 'query' && p.schema?.type === 'integer') list.push({ name: `?${p.name}=abc`, ...at, url: `${path}?${p.name}=abc`, status: 400 });
    if (p.in === 'query' && p.name === 'id') list.push({ name: 'unknown id', ...at, url: `${path}?id=2147483000`, status: 404 });
  }
  if (op.requestBody) {
    const json = { 'content-type': 'application/json' };
    list.push(
      { name: 'invalid JSON', ...at, status: 400, body: '{"a": ', headers: json },
      { name: 'missing fields', ...at, status: 400, body: '{}', headers: json },
      { name: 'body over 1 MiB', ...at, status: 413, body: big, headers: json },
      { name: 'gzip body', ...at, status: 415, body: '{}', headers: { ...json, 'content-encoding': 'gzip' } },
      { name: 'latin1 body', ...at, status: 415, body: '{}', headers: { 'content-type': 'application/json; charset=ISO-8859-1' } },
      { name: 'text/plain body', ...at, status: 415, body: '{}', headers: { 'content-type': 'text/plain' } },
    );
  }
  return list;
}

/** Statuses only some routes give, provoked by hand. */
const specific: Record<'monolith' | 'movies' | 'events', Provocation[]> = {
  monolith: [
    { name: 'unknown user', method: 'POST', url: '/api/payments', status: 422, body: JSON.stringify({ user_id: 2147483000, amount: 1 }) },
    {
      name: 'unknown user',
      method: 'POST',
      url: '/api/subscriptions',
      status: 422,
      body: JSON.stringify({ user_id: 2147483000, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-02-01' }),
    },
    { name: 'username taken', method: 'POST', url: '/api/users', status: 409, body: JSON.stringify({ username: 'user1', email: 'other@example.com' }) },
  ],
  movies: [],
  events: [{ name: 'unknown topic', method: 'GET', url: '/api/events/recent?topic=nope', status: 400 }],
};

function assertErrorAnswer(res: Answer, what: string): void {
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8', what);
  assert.deepEqual(Object.keys(res.body ?? {}), ['error'], `${what}: ${res.text.slice(0, 200)}`);
  assert.equal(typeof res.body.error, 'string', what);
}

for (const service of ['monolith', 'movies', 'events'] as const) {
  describe(`${service}: every route's error answers are JSON and documented`, () => {
    test('each provocation gets its status, documented', { timeout: 120_000 }, async () => {
      const base = ctx.stack[service];
      const paths = (await call('GET', `${base}/openapi.json`)).body.paths as Paths;
      const cases = Object.entries(paths).flatMap(([path, ops]) =>
        Object.entries(ops).flatMap(([method, op]) => provocations(path, method, op).map((c) => ({ ...c, path }))),
      );
      cases.push(...specific[service].map((c) => ({ ...c, path: c.url.split('?')[0]! })));
      assert.ok(cases.length > 15, `${service}: ${cases.length} cases`);
      for (const c of cases) {
        const what = `${c.method} ${c.url.slice(0, 80)} (${c.name})`;
        const res = await call(c.method, `${base}${c.url}`, c.body, c.headers ?? (c.body ? { 'content-type': 'application/json' } : {}));
        assert.equal(res.status, c.status, `${what}: ${res.text.slice(0, 200)}`);
        assertErrorAnswer(res, what);
        const ops = paths[c.path]!;
        const documentedOn = c.status === 405 ? Object.values(ops) : [ops[c.method.toLowerCase()]!];
        for (const op of documentedOn) assert.ok(op.responses[String(c.status)], `${what}: ${c.status} is documented`);
        if (c.status === 405) {
          const allow = (res.headers.get('allow') ?? '').split(', ');
          for (const m of Object.keys(ops)) assert.ok(allow.includes(m.toUpperCase()), `${what}: Allow lists ${m}`);
        }
      }
    });

    test('every operation documents 500 and 503', async () => {
      const paths = (await call('GET', `${ctx.stack[service]}/openapi.json`)).body.paths as Paths;
      for (const [path, ops] of Object.entries(paths)) {
        for (const [method, op] of Object.entries(ops)) {
          for (const status of ['400', '405', '500', '503']) assert.ok(op.responses[status], `${method} ${path} documents ${status}`);
        }
      }
    });
  });
}

test('OPTIONS answers 204 with the same Allow as a 405; unknown paths are 404 whatever the method', async () => {
  const options = await call('OPTIONS', `${ctx.stack.monolith}/api/users`);
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS, POST');
  const wrong = await call('DELETE', `${ctx.stack.monolith}/api/users`);
  assert.equal(wrong.headers.get('allow'), 'GET, HEAD, OPTIONS, POST');
  for (const method of ['GET', 'POST', 'QUERY', 'OPTIONS', 'DELETE']) {
    const res = await call(method, `${ctx.stack.events}/api/events/nothing`);
    assert.equal(res.status, 404, method);
    assertErrorAnswer(res, `${method} unknown path`);
  }
});
