// The edges the API decides on, one by one: text the database cannot store exactly, the date
// range and forms, amounts, ratings, rows already in the database that no longer pass the rules,
// and the OpenAPI documents telling clients all of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { stringsOf, withString } from '../support/arbitraries.ts';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();

type Body = Record<string, unknown>;

const routes: { path: string; service: 'monolith' | 'movies'; body: Body }[] = [
  { path: '/api/users', service: 'monolith', body: { username: 'storable', email: 'storable@example.com' } },
  { path: '/api/movies', service: 'monolith', body: { title: 'Valid', description: 'ok', genres: ['Drama', 'Noir'], rating: 7 } },
  { path: '/api/movies', service: 'movies', body: { title: 'Valid', description: 'ok', genres: ['Drama', 'Noir'], rating: 7 } },
  { path: '/api/subscriptions', service: 'monolith', body: { user_id: 1, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-02-01' } },
];

const url = (service: 'monolith' | 'movies', path: string) => `${ctx.stack[service]}${path}`;
const count = async (service: 'monolith' | 'movies', path: string) => (await call('GET', url(service, path))).body.length as number;

/** POSTs a body that must be refused: 400 naming the field, JSON error, nothing written. */
async function refused(service: 'monolith' | 'movies', path: string, body: Body | string, field: string) {
  const before = await count(service, path);
  const res = await call('POST', url(service, path), body);
  assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
  assert.ok(res.body.error.startsWith(`body.${field} `), `${res.body.error} should name body.${field}`);
  assert.equal(await count(service, path), before, 'nothing written');
}

/** POSTs a body that must be accepted; the answer must read back unchanged through `?id=`. */
async function accepted(service: 'monolith' | 'movies', path: string, body: Body | string) {
  const res = await call('POST', url(service, path), body);
  assert.equal(res.status, 201, `${typeof body === 'string' ? body : JSON.stringify(body)}: ${res.text}`);
  const read = await call('GET', `${url(service, path)}?id=${res.body.id}`);
  assert.deepEqual(read.body, res.body);
  return res.body;
}

describe('text the database cannot store exactly is a 400 naming the field', () => {
  const poisons = {
    NUL: (s: string) => `${s}\u0000`,
    'lone high surrogate': (s: string) => `${s}\uD83D`,
    'lone low surrogate': (s: string) => `\uDE00${s}`,
    'pair in the wrong order': (s: string) => `${s}\uDE00\uD83D`,
    'leading U+FEFF': (s: string) => `\uFEFF${s}`,
  };
  for (const { path, service, body } of routes) {
    for (const [field] of stringsOf(body).filter(([, s]) => !/^[0-9]{4}-/.test(s))) {
      test(`${service} POST ${path}: ${field}`, async () => {
        for (const poison of Object.values(poisons)) {
          await refused(service, path, withString(body, field, poison(String(stringsOf(body).find(([f]) => f === field)![1]))), field);
        }
      });
    }
  }

  test('astral characters, U+FEFF inside, other controls and a valid pair are stored exactly', async () => {
    const text = 'a\uFEFF\u{1F600}\uD83C\uDFAC\u0001\u007F\uFFFF\uD7FF\uE000\u{10FFFF}';
    const user = await accepted('monolith', '/api/users', { username: text, email: 'astral@example.com' });
    assert.equal(user.username, text);
    const movie = await accepted('movies', '/api/movies', { title: text, description: text, genres: [text, `\u3000${text}`], rating: 1 });
    assert.equal(movie.title, text);
    assert.equal(movie.description, text);
    assert.deepEqual([...movie.genres].sort(), [text, `\u3000${text}`].sort());
  });

  test('whitespace-only names are refused, whitespace around a name is kept', async () => {
    for (const blank of [' ', '\u3000', '\u001F', '\u0085\u00A0', '\uFEFF ']) {
      await refused('monolith', '/api/users', { username: blank, email: 'blank@example.com' }, 'username');
    }
    const user = await accepted('monolith', '/api/users', { username: ' spaced\t', email: 'spaced@example.com' });
    assert.equal(user.username, ' spaced\t');
  });
});

describe('subscription dates: ISO 8601, years 1900-9999 in UTC, answered as the stored instant', () => {
  const subscriptions = '/api/subscriptions';
  const with_ = (start: string, end: string) => ({ user_id: 1, plan_type: 'basic', start_date: start, end_date: end });

  const cases: [string, string][] = [
    ['1900-01-01', '1900-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['2025-01-01T00:00:00+14:00', '2024-12-31T10:00:00.000Z'],
    ['2025-01-01T00:00:00-12:00', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01T00:00:00-00:00', '2025-01-01T00:00:00.000Z'],
    ['2025-01-01t10:00:00z', '2025-01-01T10:00:00.000Z'],
    ['2025-01-01T10:00:00.5Z', '2025-01-01T10:00:00.500Z'],
    ['2025-01-01T10:00:00.123456789Z', '2025-01-01T10:00:00.123Z'],
    ['1900-01-01T01:00:00+01:00', '1900-01-01T00:00:00.000Z'],
  ];
  for (const [input, stored] of cases) {
    test(`${input} is stored and answered as ${stored}`, async () => {
      const start = await accepted('monolith', subscriptions, with_(input, '9999-12-31T23:59:59.999Z'));
      assert.equal(start.start_date, stored);
      const end = await accepted('monolith', subscriptions, with_('1900-01-01', input));
      assert.equal(end.end_date, stored);
    });
  }

  const refusedDates = [
    '0050-01-01',
    '0001-03-01',
    '1899-12-31',
    '10000-01-01',
    '+002025-01-01', // outside the years
    '1900-01-01T00:00:00+00:01',
    '9999-12-31T23:59:59-00:01', // inside as written, outside in UTC
    '2016-12-31T23:59:60Z', // a leap second: no JavaScript Date or PostgreSQL instant of its own
    '2025-02-29',
    '2025-04-31',
    '2025-13-01',
    '2025-01-01T24:00:00Z', // no such day or hour
    '2025-01-01 00:00:00Z',
    '2025-01-01T00:00:00+0100',
    '2025-01-01T00:00:00',
    '2025-01-01T00:00Z',
    '2025-01-01\n', // not RFC 3339
  ];
  for (const input of refusedDates) {
    test(`${JSON.stringify(input)} is a 400 naming the field`, async () => {
      await refused('monolith', subscriptions, with_(input, '9999-12-31'), 'start_date');
      await refused('monolith', subscriptions, with_('1900-01-01', input), 'end_date');
    });
  }
});

describe('amounts: at least 0.01, at most two decimals, exactly', () => {
  const payments = '/api/payments';
  for (const amount of ['0.01', '0.29', '1e-2', '14.99', '100', '9999999999.99', '9999999999.9', '123456789.12']) {
    test(`${amount} is stored and read back as ${Number(amount)}`, async () => {
      const payment = await accepted('monolith', payments, `{"user_id": 1, "amount": ${amount}}`);
      assert.equal(payment.amount, Number(amount));
    });
  }
  for (const amount of ['1e-9', '5e-324', '0.001', '0.009', '0', '-0', '-0.01', '1.005', '0.30000000000000004', '9999999999.991', '10000000000', '1e308']) {
    test(`${amount} is a 400`, async () => {
      await refused('monolith', payments, `{"user_id": 1, "amount": ${amount}}`, 'amount');
    });
  }
});

describe('ratings: any accepted double reads back equal', () => {
  for (const service of ['monolith', 'movies'] as const) {
    for (const [rating, stored] of [
      ['-0', 0],
      ['0', 0],
      ['5e-324', 5e-324],
      ['1e-320', 1e-320],
      ['2.2250738585072014e-308', 2.2250738585072014e-308],
      ['0.1', 0.1],
      ['3.3333333333333335', 3.3333333333333335],
      ['9.999999999999998', 9.999999999999998],
      ['10', 10],
    ] as const) {
      test(`${service}: ${rating}`, async () => {
        const movie = await accepted(service, '/api/movies', `{"title": "r", "description": "", "rating": ${rating}}`);
        assert.ok(Object.is(movie.rating, stored), `${movie.rating} for ${rating}`);
      });
    }
    test(`${service}: out of 0-10 is a 400`, async () => {
      for (const rating of ['-5e-324', '-0.1', '10.000000000000002', '1e309']) {
        await refused(service, '/api/movies', `{"title": "r", "description": "", "rating": ${rating}}`, 'rating');
      }
    });
  }
});

describe('rows written before these rules never break a read', () => {
  test('subscriptions and payments with years below 100, BC, infinity: lists and ?id= read them as ISO', async () => {
    const db = ctx.db.database.db;
    const before = await call('GET', `${ctx.stack.monolith}/api/subscriptions`);
    const inserted = await db.execute(sql`insert into subscriptions (user_id, plan_type, start_date, end_date) values
      (3, 'year 50', '0050-01-01T00:00:00Z', '0050-06-01T12:30:00.250Z'),
      (3, 'year 1', '0001-03-01T00:00:00Z', '0099-12-31T23:59:59.999Z'),
      (3, 'BC', '0044-03-15 00:00:00+00 BC', '0001-01-01 00:00:00+00 BC'),
      (3, 'forever', '1970-01-01T00:00:00Z', 'infinity')
      returning id`);
    // node-postgres answers { rows }, PGlite's drizzle driver the same shape.
    const ids = (inserted as unknown as { rows: { id: number }[] }).rows.map((r) => Number(r.id));
    const expected = [
      ['0050-01-01T00:00:00.000Z', '0050-06-01T12:30:00.250Z'],
      ['0001-03-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z'],
      ['-000043-03-15T00:00:00.000Z', '0000-01-01T00:00:00.000Z'], // ISO 8601: 1 BC is year 0
      ['1970-01-01T00:00:00.000Z', 'infinity'],
    ];
    const list = await call('GET', `${ctx.stack.monolith}/api/subscriptions`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.length, before.body.length + 4);
    for (const [i, id] of ids.entries()) {
      const one = await call('GET', `${ctx.stack.monolith}/api/subscriptions?id=${id}`);
      assert.equal(one.status, 200, one.text);
      assert.deepEqual([one.body.start_date, one.body.end_date], expected[i]);
      assert.deepEqual(
        list.body.find((s: { id: number }) => s.id === id),
        one.body,
      );
    }
    assert.equal((await call('GET', `${ctx.stack.monolith}/api/subscriptions?user_id=3`)).status, 200);

    await db.execute(sql`insert into payments (user_id, amount, timestamp) values (3, 1, '0050-06-01T00:00:00Z')`);
    const payments = await call('GET', `${ctx.stack.monolith}/api/payments?user_id=3`);
    assert.equal(payments.status, 200, payments.text);
    assert.ok(payments.body.some((p: { timestamp: string }) => p.timestamp === '0050-06-01T00:00:00.000Z'));
  });
});

describe('the OpenAPI documents state the text rule on every string of every request body', () => {
  for (const service of ['monolith', 'movies'] as const) {
    test(service, async () => {
      const doc = (await call('GET', `${ctx.stack[service]}/openapi.json`)).body;
      const strings: [string, { pattern?: string }][] = [];
      const walk = (schema: Record<string, unknown>, at: string): void => {
        if (schema['type'] === 'string') strings.push([at, schema]);
        for (const [key, value] of Object.entries(schema)) {
          if (value && typeof value === 'object') walk(value as Record<string, unknown>, `${at}/${key}`);
        }
      };
      for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: unknown }>>)) {
        for (const [method, operation] of Object.entries(item)) {
          if (operation.requestBody) walk(operation.requestBody as Record<string, unknown>, `${method} ${path}`);
        }
      }
      assert.ok(strings.length >= 3, 'found the body strings');
      for (const [at, schema] of strings) {
        assert.ok(schema.pattern, `${at} has no pattern`);
        const pattern = new RegExp(schema.pattern, 'u'); // as Ajv compiles it
        for (const bad of ['x\u0000', 'x\uD800', '\uDFFFx', '\uFEFFx']) assert.ok(!pattern.test(bad), `${at} lets ${JSON.stringify(bad)} through`);
      }
    });
  }
});
