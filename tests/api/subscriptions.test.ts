import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();
const subscriptions = () => `${ctx.stack.monolith}/api/subscriptions`;

describe('subscriptions', () => {
  test('lists the sample subscriptions; ?user_id and ?id filter', async () => {
    const all = await call('GET', subscriptions());
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.map((s: { plan_type: string }) => s.plan_type),
      ['basic', 'premium', 'family'],
    );
    assert.deepEqual(Object.keys(all.body[0]).sort(), ['end_date', 'id', 'plan_type', 'start_date', 'user_id']);
    assert.equal((await call('GET', `${subscriptions()}?user_id=3`)).body[0].plan_type, 'family');
    assert.equal((await call('GET', `${subscriptions()}?id=2`)).body.plan_type, 'premium');
    assert.equal((await call('GET', `${subscriptions()}?id=99`)).status, 404);
  });

  test('POST creates one; end_date may equal start_date; dates may be date-only', async () => {
    const res = await call('POST', subscriptions(), {
      user_id: 2,
      plan_type: 'premium',
      start_date: '2025-01-01T00:00:00Z',
      end_date: '2025-02-01T00:00:00Z',
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.start_date, '2025-01-01T00:00:00.000Z');
    assert.equal(res.body.end_date, '2025-02-01T00:00:00.000Z');
    const same = await call('POST', subscriptions(), {
      user_id: 1,
      plan_type: 'trial',
      start_date: '2025-03-01',
      end_date: '2025-03-01',
    });
    assert.equal(same.status, 201);
    assert.equal(same.body.start_date, same.body.end_date);
  });

  test('end_date before start_date, bad dates and unknown users write nothing', async () => {
    const count = (await call('GET', subscriptions())).body.length;
    const backwards = await call('POST', subscriptions(), {
      user_id: 1,
      plan_type: 'basic',
      start_date: '2025-02-01T00:00:00Z',
      end_date: '2025-01-31T23:59:59Z',
    });
    assert.equal(backwards.status, 400);
    assert.match(backwards.body.error, /end_date/);
    const garbage = await call('POST', subscriptions(), {
      user_id: 1,
      plan_type: 'basic',
      start_date: 'yesterday',
      end_date: '2025-01-01',
    });
    assert.equal(garbage.status, 400);
    const unknown = await call('POST', subscriptions(), {
      user_id: 4242,
      plan_type: 'basic',
      start_date: '2025-01-01',
      end_date: '2025-01-02',
    });
    assert.equal(unknown.status, 422);
    assert.equal((await call('GET', subscriptions())).body.length, count);
  });
});
