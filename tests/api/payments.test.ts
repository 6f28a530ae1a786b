import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();
const payments = () => `${ctx.stack.monolith}/api/payments`;

describe('payments', () => {
  test('lists the sample payments; ?user_id and ?id filter', async () => {
    const all = await call('GET', payments());
    assert.equal(all.status, 200);
    assert.equal(all.body.length, 3);
    assert.deepEqual(Object.keys(all.body[0]).sort(), ['amount', 'id', 'timestamp', 'user_id']);
    assert.equal(all.body[0].amount, 9.99);
    const mine = await call('GET', `${payments()}?user_id=2`);
    assert.deepEqual(
      mine.body.map((p: { user_id: number }) => p.user_id),
      [2],
    );
    const one = await call('GET', `${payments()}?id=3`);
    assert.equal(one.body.amount, 19.99);
    assert.equal((await call('GET', `${payments()}?id=999`)).status, 404);
    assert.deepEqual((await call('GET', `${payments()}?user_id=999`)).body, []);
  });

  test('POST records a payment with a server-set ISO 8601 timestamp', async () => {
    const before = Date.now();
    const res = await call('POST', payments(), { user_id: 1, amount: 42.5 });
    assert.equal(res.status, 201);
    assert.equal(res.body.user_id, 1);
    assert.equal(res.body.amount, 42.5);
    assert.match(res.body.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    const at = Date.parse(res.body.timestamp);
    assert.ok(at >= before - 5000 && at <= Date.now() + 5000);
  });

  test('a client cannot choose the timestamp', async () => {
    const res = await call('POST', payments(), { user_id: 1, amount: 1, timestamp: '2000-01-01T00:00:00Z' });
    assert.equal(res.status, 400);
  });

  test('unknown user is 422; amount must be > 0 with at most 2 decimals', async () => {
    const count = (await call('GET', payments())).body.length;
    const unknown = await call('POST', payments(), { user_id: 999, amount: 10 });
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.error, /user 999/);
    for (const amount of [0, -5, 1.234, '10']) {
      const res = await call('POST', payments(), { user_id: 1, amount });
      assert.equal(res.status, 400, `amount ${String(amount)}`);
    }
    assert.equal((await call('GET', payments())).body.length, count);
  });
});
