// Domain events from the monolith and the movies service: written with the row (outbox), published by the relay.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asc, isNull } from 'drizzle-orm';
import { enqueueEvent, outbox, startOutboxRelay } from '@cinemaabyss/outbox';
import { BusUnavailableError, type EventBus } from '@cinemaabyss/event-bus';
import { call, quietLogger } from '../support/stack.ts';
import { eventually, setupEventsStack } from '../support/events-stack.ts';

const ctx = setupEventsStack();

async function processedWhere(predicate: (payload: Record<string, unknown>, e: Record<string, unknown>) => boolean) {
  const recent = (await call('GET', `${ctx.stack.events}/api/events/recent?limit=500`)).body as Record<string, unknown>[];
  return recent.filter((e) => predicate(e['payload'] as Record<string, unknown>, e));
}

describe('transactional outbox', () => {
  test('creating a user, a payment and a movie each publishes one event that the consumer processes once', async () => {
    const { db } = ctx.stack.db.database;
    const user = (await call('POST', `${ctx.stack.monolith}/api/users`, { username: 'outboxer', email: 'outboxer@example.com' })).body;
    const payment = (await call('POST', `${ctx.stack.monolith}/api/payments`, { user_id: user.id, amount: 4.5 })).body;
    const movie = (await call('POST', `${ctx.stack.movies}/api/movies`, { title: 'Outbox', description: '', genres: ['Drama'], rating: 7 })).body;
    const rows = await db.select().from(outbox).orderBy(asc(outbox.id));
    assert.deepEqual(
      rows.map((r) => [r.type, r.topic, r.key, r.source]),
      [
        ['user', 'user-events', String(user.id), 'monolith'],
        ['payment', 'payment-events', String(user.id), 'monolith'],
        ['movie', 'movie-events', String(movie.id), 'movies'],
      ],
    );
    for (const row of rows) {
      await eventually(() => ctx.stack.processedCount(row.eventId) === 1, 20_000, `processing of ${row.type} event`);
    }
    await eventually(async () => (await db.select().from(outbox).where(isNull(outbox.publishedAt))).length === 0, 5000, 'marked sent');
    const byId = async (id: string) => (await processedWhere((_p, e) => e['id'] === id))[0]!;
    const userEvent = await byId(rows[0]!.eventId);
    assert.deepEqual(
      { ...(userEvent['payload'] as object), timestamp: undefined },
      {
        user_id: user.id,
        username: 'outboxer',
        email: 'outboxer@example.com',
        action: 'created',
        timestamp: undefined,
      },
    );
    const paymentEvent = await byId(rows[1]!.eventId);
    assert.equal((paymentEvent['payload'] as { payment_id: number }).payment_id, payment.id);
    assert.equal((paymentEvent['payload'] as { amount: number }).amount, 4.5);
    const movieEvent = await byId(rows[2]!.eventId);
    assert.deepEqual((movieEvent['payload'] as { genres: string[] }).genres, ['Drama']);
    for (const row of rows) assert.equal(ctx.stack.processedCount(row.eventId), 1, 'none processed twice');
  });

  test('a write that fails or rolls back leaves no event', async () => {
    const before = (await ctx.stack.db.database.db.select().from(outbox)).length;
    assert.equal((await call('POST', `${ctx.stack.monolith}/api/users`, { username: 'user1', email: 'new@example.com' })).status, 409);
    assert.equal((await call('POST', `${ctx.stack.monolith}/api/payments`, { user_id: 9999, amount: 1 })).status, 422);
    await assert.rejects(
      ctx.stack.db.database.db.transaction(async (tx) => {
        await enqueueEvent(tx, { topic: 'user-events', key: '1', type: 'user', source: 'test', payload: {} });
        throw new Error('the row write failed after the event was enqueued');
      }),
    );
    assert.equal((await ctx.stack.db.database.db.select().from(outbox)).length, before);
  });
});

/** A bus that refuses the first `failures` sends, like a broker that is down and comes back. */
function flaky(bus: EventBus, failures: number): EventBus & { attempts: number } {
  const wrapper = Object.create(bus) as EventBus & { attempts: number };
  wrapper.attempts = 0;
  wrapper.send = async (message) => {
    wrapper.attempts++;
    if (wrapper.attempts <= failures) throw new BusUnavailableError('broker down (simulated)');
    return bus.send(message);
  };
  return wrapper;
}

describe('outbox relay while the bus is down', () => {
  test('retries with backoff, records the error, then publishes every event once and in order', async () => {
    const { db } = ctx.stack.db.database;
    // The stack's own relay must not publish these: this test's relay is the only publisher.
    await ctx.stack.relay.stop();
    const start = (await db.select().from(outbox)).length;
    for (let i = 0; i < 5; i++) {
      await db.transaction((tx) =>
        enqueueEvent(tx, { topic: 'movie-events', key: 'flaky', type: 'movie', source: 'test', payload: { movie_id: 5000 + i, title: `f${i}`, action: 'x' } }),
      );
    }
    const bus = flaky(ctx.stack.bus, 3);
    const relay = startOutboxRelay({ database: ctx.stack.db.database, bus, log: quietLogger(), idleMs: 20, maxBackoffMs: 200 });
    try {
      assert.ok(await relay.drained(20_000), 'outbox drained after the bus came back');
      assert.ok(bus.attempts > 5, 'sends were retried');
      const rows = (await db.select().from(outbox).orderBy(asc(outbox.id))).slice(start);
      assert.ok(rows.every((r) => r.publishedAt !== null));
      assert.ok(rows.some((r) => r.attempts > 0 && /simulated/.test(r.lastError ?? '')));
      const ids = new Set(rows.map((r) => r.eventId));
      await eventually(async () => (await processedWhere((_p, e) => ids.has(e['id'] as string))).length === 5, 20_000, 'all five');
      const titles = (await processedWhere((_p, e) => ids.has(e['id'] as string)))
        .sort((a, b) => Number(a['offset']) - Number(b['offset']))
        .map((e) => (e['payload'] as { title: string }).title);
      assert.deepEqual(titles, ['f0', 'f1', 'f2', 'f3', 'f4'], 'one key, published in order');
      for (const id of ids) assert.equal(ctx.stack.processedCount(id), 1);
    } finally {
      await relay.stop();
    }
  });
});
