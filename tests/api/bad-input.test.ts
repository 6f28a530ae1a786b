// The bad-input table: every case answers 4xx with {"error": "..."} and writes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();

const valid: Record<string, Record<string, unknown>> = {
  '/api/users': { username: 'valid', email: 'valid@example.com' },
  '/api/movies': { title: 'Valid', description: 'ok', genres: ['Drama'], rating: 7 },
  '/api/payments': { user_id: 1, amount: 10 },
  '/api/subscriptions': { user_id: 1, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-02-01' },
};

const big = 'x'.repeat(1024 * 1024 + 10);

interface Case {
  name: string;
  body: string | unknown;
  headers?: Record<string, string>;
  status?: number;
  error?: RegExp;
}

function casesFor(path: string): Case[] {
  const good = valid[path]!;
  const [firstKey] = Object.keys(good) as [string];
  const { [firstKey]: _dropped, ...missing } = good;
  return [
    { name: 'invalid JSON', body: '{"title": ', error: /not valid JSON/ },
    { name: 'JSON array instead of object', body: [good], error: /must be a JSON object/ },
    { name: 'JSON null', body: 'null' },
    { name: 'empty body', body: '', error: /empty/ },
    { name: 'missing field', body: missing, error: new RegExp(`missing required field '${firstKey}'`) },
    { name: 'unknown field', body: { ...good, id: 77 }, error: /unknown field 'id'/ },
    { name: 'prototype pollution', body: `{"__proto__": {"admin": true}, ${JSON.stringify(good).slice(1)}` },
    { name: 'wrong type (each value as a list)', body: Object.fromEntries(Object.entries(good).map(([k, v]) => [k, [v]])) },
    ...Object.entries(good).map(([key, value]) => ({
      name: `wrong type for ${key}`,
      body: { ...good, [key]: typeof value === 'number' ? String(value) : typeof value === 'string' ? 12 : 'text' },
      error: new RegExp(`body\\.${key}`),
    })),
    { name: 'oversize body', body: JSON.stringify({ ...good, padding: big }), status: 413, error: /larger than/ },
    { name: 'form-encoded body', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  ];
}

async function count(path: string): Promise<number> {
  return (await call('GET', `${ctx.stack.monolith}${path}`)).body.length;
}

for (const path of Object.keys(valid)) {
  describe(`POST ${path} refuses bad input`, () => {
    for (const c of casesFor(path)) {
      test(c.name, async () => {
        const before = await count(path);
        const res = await call('POST', `${ctx.stack.monolith}${path}`, c.body, c.headers);
        assert.equal(res.status, c.status ?? 400, res.text.slice(0, 200));
        assert.equal(typeof res.body?.error, 'string', res.text.slice(0, 200));
        if (c.error) assert.match(res.body.error, c.error);
        assert.equal(await count(path), before, 'nothing was written');
      });
    }
  });
}

describe('query parameters and methods', () => {
  for (const path of Object.keys(valid)) {
    for (const id of ['abc', '0', '-1', '1.5', '99999999999', '']) {
      test(`GET ${path}?id=${id} is 400`, async () => {
        const res = await call('GET', `${ctx.stack.monolith}${path}?id=${id}`);
        assert.equal(res.status, 400, res.text);
        assert.match(res.body.error, /querystring\.id/);
      });
    }
  }

  test('movies: limit and offset out of range are 400', async () => {
    for (const q of ['limit=0', 'limit=100000', 'offset=-1', 'limit=ten']) {
      assert.equal((await call('GET', `${ctx.stack.movies}/api/movies?${q}`)).status, 400, q);
    }
  });

  test('wrong method is 405 with Allow; unknown path is 404; both JSON', async () => {
    for (const [method, url] of [
      ['DELETE', `${ctx.stack.monolith}/api/users`],
      ['PUT', `${ctx.stack.monolith}/api/payments`],
      ['PATCH', `${ctx.stack.movies}/api/movies`],
      ['POST', `${ctx.stack.monolith}/health`],
    ] as const) {
      const res = await call(method, url);
      assert.equal(res.status, 405, `${method} ${url}`);
      assert.match(res.headers.get('allow') ?? '', /GET/);
      assert.equal(typeof res.body.error, 'string');
    }
    const missing = await call('GET', `${ctx.stack.monolith}/api/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.body.error, 'string');
  });
});
