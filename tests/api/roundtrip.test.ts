// Property: for every POST, a 201 means the row reads back through `GET ?id=` exactly as answered,
// and the answer is the body sent (normalised: dates as UTC instants to the millisecond, genres as
// a set); anything else is a 4xx naming the field that writes nothing. Bodies are drawn from each
// route's own schema (tests/support/arbitraries.ts). A failure prints the counterexample and seed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CreateMovie, CreatePayment, CreateSubscription, CreateUser } from '@cinemaabyss/api';
import { bodyFor, isStorable, stringsOf, UNSTORABLE } from '../support/arbitraries.ts';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();
// Enough that each side of the property comes up (the rarest, a valid subscription, ~15 %).
const RUNS = 100;

type Body = Record<string, unknown>;
type Answer = any;

/** The seeded users 1-3 mostly (a write can succeed), sometimes one that does not exist or cannot. */
const userId = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(1, 2, 3) }, { weight: 1, arbitrary: fc.constantFrom(4242, 0, 2147483648) });

/** `new Date` reads RFC 3339 once upper-cased and cut to milliseconds: an oracle apart from the server's parser. */
const instant = (text: unknown) =>
  new Date(
    String(text)
      .toUpperCase()
      .replace(/(\.[0-9]{3})[0-9]+/, '$1'),
  ).toISOString();

const sorted = (values: unknown) => [...((values ?? []) as string[])].sort();

interface Route {
  name: string;
  url: () => string;
  body: fc.Arbitrary<Body>;
  /** The 201 answer, given the body sent (after `id` and server-set fields are checked). */
  echo: (body: Body, answer: Answer) => void;
}

const routes: Route[] = [
  {
    name: 'monolith POST /api/users',
    url: () => `${ctx.stack.monolith}/api/users`,
    body: bodyFor(CreateUser, {
      // Mostly addresses Ajv's email format takes, so that usernames get stored and read back.
      email: fc.oneof(
        { weight: 4, arbitrary: fc.emailAddress({ size: 'small' }) },
        { weight: 1, arbitrary: fc.tuple(fc.emailAddress(), fc.constantFrom(...UNSTORABLE, ' ')).map(([e, c]) => e + c) },
      ),
    }),
    echo: (body, answer) => assert.deepEqual({ username: answer.username, email: answer.email }, { ...body }),
  },
  ...(['monolith', 'movies'] as const).map(
    (service): Route => ({
      name: `${service} POST /api/movies`,
      url: () => `${ctx.stack[service]}/api/movies`,
      body: bodyFor(CreateMovie),
      echo: (body, answer) => {
        assert.equal(answer.title, body['title']);
        assert.equal(answer.description, body['description']);
        assert.deepEqual(sorted(answer.genres), sorted(body['genres']));
        assert.ok(answer.rating === body['rating'], `rating ${answer.rating} for ${String(body['rating'])}`);
      },
    }),
  ),
  {
    name: 'monolith POST /api/payments',
    url: () => `${ctx.stack.monolith}/api/payments`,
    body: bodyFor(CreatePayment, { user_id: userId }),
    echo: (body, answer) => {
      assert.equal(answer.user_id, body['user_id']);
      assert.equal(answer.amount, body['amount']);
      assert.equal(new Date(answer.timestamp).toISOString(), answer.timestamp);
    },
  },
  {
    name: 'monolith POST /api/subscriptions',
    url: () => `${ctx.stack.monolith}/api/subscriptions`,
    body: bodyFor(CreateSubscription, { user_id: userId }).chain((body) =>
      // Half the time the end is the start or the last day, so that dates pass the order check.
      fc.constantFrom(body, { ...body, end_date: body['start_date'] }, { ...body, end_date: '9999-12-31T23:59:59.999Z' }),
    ),
    echo: (body, answer) => {
      assert.equal(answer.user_id, body['user_id']);
      assert.equal(answer.plan_type, body['plan_type']);
      assert.equal(answer.start_date, instant(body['start_date']));
      assert.equal(answer.end_date, instant(body['end_date']));
    },
  },
];

async function count(url: string): Promise<number> {
  const list = await call('GET', url);
  assert.equal(list.status, 200, list.text.slice(0, 300));
  return list.body.length;
}

describe('every POST: a 201 reads back exactly as answered; a refusal writes nothing', () => {
  for (const route of routes) {
    test(route.name, async () => {
      const outcomes = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(route.body, async (body) => {
          const url = route.url();
          const before = await count(url);
          const res = await call('POST', url, body);
          outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1);
          assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
          const unstorable = stringsOf(body).filter(([, s]) => !isStorable(s));
          if (res.status === 201) {
            assert.deepEqual(unstorable, [], 'an unstorable string was accepted');
            const read = await call('GET', `${url}?id=${res.body.id}`);
            assert.equal(read.status, 200, read.text);
            assert.deepEqual(read.body, res.body, 'GET ?id= differs from the 201 answer');
            route.echo(body, res.body);
            assert.equal(await count(url), before + 1);
            return;
          }
          assert.ok([400, 409, 422].includes(res.status), `status ${res.status}: ${res.text.slice(0, 300)}`);
          assert.equal(typeof res.body?.error, 'string');
          if (res.status === 400) {
            // Named by its path: `body.genres.2 must ...`, and the field is one the body has.
            const field = /^body\.([a-z_]+)/.exec(res.body.error)?.[1];
            assert.ok(field && field in body, `400 names no field of the body: ${res.body.error}`);
          }
          if (unstorable.length > 0) assert.equal(res.status, 400, `unstorable ${JSON.stringify(unstorable)} answered ${res.status}`);
          assert.equal(await count(url), before, 'a refused body was written');
        }),
        { numRuns: RUNS },
      );
      // Not vacuous: both sides of the property were exercised.
      assert.ok(outcomes.has(201) && outcomes.has(400), `outcomes: ${JSON.stringify([...outcomes])}`);
    });
  }
});
