// The events API accepts only what the whole pipeline stores: the bus, then the consumer's jsonb
// read model. Text jsonb refuses (NUL, lone surrogates) is a 400 naming the field that puts nothing
// on the bus; every event answered 201 is processed and reads back from the read model as answered.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { MovieEventBody, PaymentEventBody, UserEventBody } from '@cinemaabyss/api';
import { bodyFor, dateInput, stringsOf, UNSTORABLE, withString } from '../support/arbitraries.ts';
import { eventually, setupEventsStack } from '../support/events-stack.ts';
import { call } from '../support/stack.ts';

const ctx = setupEventsStack();
const url = (path: string) => `${ctx.stack.events}/api/events${path}`;
const RUNS = 80; // a valid movie event comes up ~19 % of the time

// One key per type, so that every event of a type lands on one partition, whose offsets show
// exactly how many records were appended.
const KEY = 777;
const timestamp = fc.oneof(
  { weight: 6, arbitrary: fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: dateInput },
);
const email = fc.oneof(
  { weight: 4, arbitrary: fc.emailAddress({ size: 'small' }) },
  { weight: 1, arbitrary: fc.constantFrom(...UNSTORABLE).map((c) => `a${c}@example.com`) },
);

const channels = {
  movie: {
    body: bodyFor(MovieEventBody, { movie_id: fc.constant(KEY) }),
    valid: { movie_id: KEY, title: 'Heat', action: 'viewed', genres: ['Crime'], description: 'LA' },
  },
  user: {
    body: bodyFor(UserEventBody, { user_id: fc.constant(KEY), email, timestamp }),
    valid: { user_id: KEY, username: 'u', email: 'u@example.com', action: 'created', timestamp: '2025-05-01T10:00:00Z' },
  },
  payment: {
    body: bodyFor(PaymentEventBody, { user_id: fc.constant(KEY), timestamp }),
    valid: { payment_id: 1, user_id: KEY, amount: 9.99, status: 'completed', timestamp: '2025-05-01T10:00:00Z', method_type: 'card' },
  },
};

type Published = { status: number; body: { partition: number; offset: number; event: { id: string; payload: unknown } } };

const publish = async (type: string, body: unknown) => (await call('POST', url(`/${type}`), body)) as unknown as Published;

/** The offset the next record on this type's partition will get, found by publishing a valid event. */
async function nextOffset(type: keyof typeof channels): Promise<number> {
  const res = await publish(type, channels[type].valid);
  assert.equal(res.status, 201);
  return res.body.offset + 1;
}

describe('events API: unstorable text is refused before the bus', () => {
  // The consumer must have joined its group before the first event, or it may start past it.
  before(() => eventually(async () => (await call('GET', url('/ready'))).status === 200, 30_000, 'readiness'));

  for (const type of Object.keys(channels) as (keyof typeof channels)[]) {
    test(`POST /api/events/${type}: NUL, lone surrogates and a leading U+FEFF in each string field are 400 naming it, and append nothing`, async () => {
      const valid = channels[type].valid;
      const start = await nextOffset(type);
      for (const [field, text] of stringsOf(valid)) {
        for (const bad of [...UNSTORABLE.map((c) => `${text}${c}`), `\uFEFF${text}`]) {
          const res = await call('POST', url(`/${type}`), withString(valid, field, bad));
          assert.equal(res.status, 400, `${field} = ${JSON.stringify(bad)}: ${res.text}`);
          assert.ok(res.body.error.startsWith(`body.${field} `), res.body.error);
        }
      }
      assert.equal(await nextOffset(type), start + 1, 'only the valid probe was appended');
    });
  }

  for (const type of Object.keys(channels) as (keyof typeof channels)[]) {
    test(`POST /api/events/${type}, schema-drawn bodies: each 201 is processed and reads back as answered; refusals append nothing`, async () => {
      const accepted: Published['body'][] = [];
      const start = await nextOffset(type);
      await fc.assert(
        fc.asyncProperty(channels[type].body, async (body) => {
          const res = await call('POST', url(`/${type}`), body);
          if (res.status === 201) {
            assert.deepEqual(res.body.event.payload, JSON.parse(JSON.stringify(body)), 'the payload is the body as sent');
            accepted.push(res.body);
            return;
          }
          assert.equal(res.status, 400, res.text);
          const field = /^body\.([a-z_]+)/.exec(res.body.error)?.[1];
          assert.ok(field && field in body, `400 names no field of the body: ${res.body.error}`);
        }),
        { numRuns: RUNS },
      );
      assert.ok(accepted.length > 0, 'no body was accepted');
      assert.equal(await nextOffset(type), start + accepted.length + 1, 'one record per 201, none for a refusal');
      await eventually(() => accepted.every((a) => ctx.stack.processedCount(a.event.id) === 1), 30_000, 'processing of every accepted event');
      const recent = (await call('GET', url(`/recent?topic=${type}-events&limit=500`))).body as { id: string; payload: unknown }[];
      for (const a of accepted) assert.deepEqual(recent.find((e) => e.id === a.event.id)?.payload, a.event.payload);
    });
  }
});
