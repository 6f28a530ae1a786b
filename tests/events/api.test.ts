import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MovieEvent } from '@cinemaabyss/api';
import { newEnvelope, toMessage } from '@cinemaabyss/event-bus';
import { buildEventsApp } from '@cinemaabyss/events';
import { listen } from '@cinemaabyss/http';
import { freshDatabase } from '../support/backend.ts';
import { openDeadBus } from '../support/bus.ts';
import { call, quietLogger } from '../support/stack.ts';
import { caughtUp } from './consumer-status.ts';
import { checkDocs } from '../support/docs.ts';
import { eventually, setupEventsStack } from '../support/events-stack.ts';

const ctx = setupEventsStack();
const url = (path: string) => `${ctx.stack.events}/api/events${path}`;

const bodies = {
  movie: { movie_id: 7, title: 'Heat', action: 'viewed', user_id: 2, rating: 8.3, genres: ['Crime'] },
  user: { user_id: 3, username: 'user3', action: 'logged_in', timestamp: '2025-05-01T10:00:00Z' },
  payment: { payment_id: 11, user_id: 3, amount: 9.99, status: 'completed', timestamp: '2025-05-01T10:00:00Z', method_type: 'card' },
} as const;

describe('events API', () => {
  test('interactive documentation at /docs', async () => {
    const document = await checkDocs(ctx.stack.events);
    assert.ok(document.paths['/api/events/movie']);
  });

  test('health and readiness', async () => {
    assert.deepEqual((await call('GET', url('/health'))).body, { status: true });
    await eventually(async () => (await call('GET', url('/ready'))).status === 200, 20_000, 'readiness');
    const ready = await call('GET', url('/ready'));
    assert.deepEqual(ready.body.checks, { broker: 'ok', database: 'ok', consumer: 'ok' });
  });

  for (const [type, body] of Object.entries(bodies)) {
    test(`POST /api/events/${type} answers 201 after the broker stored it, and the consumer processes it once`, async () => {
      const res = await call('POST', url(`/${type}`), body);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.status, 'success');
      assert.ok(Number.isInteger(res.body.partition) && res.body.partition >= 0);
      assert.ok(Number.isInteger(res.body.offset) && res.body.offset >= 0);
      assert.match(res.body.event.id, /^[0-9a-f-]{36}$/);
      assert.equal(res.body.event.type, type);
      assert.ok(!Number.isNaN(Date.parse(res.body.event.timestamp)));
      assert.deepEqual(res.body.event.payload, body);
      const id = res.body.event.id as string;
      await eventually(() => ctx.stack.processedCount(id) === 1, 20_000, `processing of ${id}`);
      const topic = `${type}-events`;
      const recent = await call('GET', url(`/recent?topic=${topic}&limit=50`));
      const seen = recent.body.find((e: { id: string }) => e.id === id);
      assert.ok(seen, 'listed in /recent');
      assert.equal(seen.topic, topic);
      assert.equal(seen.partition, res.body.partition);
      assert.equal(seen.offset, res.body.offset);
      assert.deepEqual(seen.payload, body);
    });
  }

  test('events of one key get increasing offsets on one partition', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await call('POST', url('/movie'), { ...bodies.movie, movie_id: 4242, action: `a${i}` })).body);
    assert.equal(new Set(results.map((r) => r.partition)).size, 1);
    const offsets = results.map((r) => r.offset);
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
    );
  });

  test('stats count processed events by topic and type', async () => {
    const stats = (await call('GET', url('/stats'))).body;
    assert.ok(stats.total >= 3);
    assert.ok(stats.processed['movie-events'].movie >= 1);
    assert.ok(stats.processed['payment-events'].payment >= 1);
  });

  test('a redelivered event id is processed once', async () => {
    const event = newEnvelope('movie', { movie_id: 99, title: 'Twice', action: 'viewed' }, 'test');
    // On a broker shared with earlier runs, the topics' history may hold duplicates too: count from a caught-up consumer.
    await eventually(() => caughtUp(ctx.stack.events), 30_000, 'consumer caught up');
    const before = (await call('GET', url('/stats'))).body.duplicates_skipped;
    await ctx.stack.bus.send(toMessage(MovieEvent.topic, '99', event));
    await ctx.stack.bus.send(toMessage(MovieEvent.topic, '99', event));
    await eventually(async () => (await call('GET', url('/stats'))).body.duplicates_skipped >= before + 1, 20_000, 'duplicate skip');
    assert.equal(ctx.stack.processedCount(event.id), 1);
  });

  test('bad bodies are 400 and publish nothing', async () => {
    const cases: [string, unknown][] = [
      ['/movie', { title: 'no id', action: 'viewed' }],
      ['/movie', { ...bodies.movie, movie_id: 'seven' }],
      ['/movie', { ...bodies.movie, rating: 11 }],
      ['/user', { user_id: 1, action: 'x' }],
      ['/user', { ...bodies.user, timestamp: 'yesterday' }],
      ['/payment', { ...bodies.payment, amount: -1 }],
      ['/payment', { ...bodies.payment, surprise: true }],
      ['/payment', '{not json'],
    ];
    for (const [path, body] of cases) {
      const res = await call('POST', url(path), body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${res.text}`);
      assert.equal(typeof res.body.error, 'string');
    }
    const recent = (await call('GET', url('/recent?limit=500'))).body;
    assert.ok(!recent.some((e: { payload: { title?: string } }) => e.payload.title === 'no id'));
    assert.equal((await call('GET', url('/recent?topic=nope'))).status, 400);
    assert.equal((await call('GET', url('/movie'))).status, 405);
  });
});

describe('events API with the broker down', () => {
  test('POST answers 503 within a bounded time, never 201; readiness is 503', async () => {
    const db = await freshDatabase({ seed: false });
    const scratch = await freshDatabase({ seed: false });
    const bus = await openDeadBus(scratch.database);
    const { app } = await buildEventsApp({ database: db.database, bus, logger: quietLogger() });
    const base = await listen(app, 0, '127.0.0.1');
    try {
      const started = Date.now();
      const res = await call('POST', `${base}/api/events/movie`, bodies.movie);
      assert.equal(res.status, 503, res.text);
      assert.equal(typeof res.body.error, 'string');
      assert.ok(Date.now() - started < 8000, `answered after ${Date.now() - started} ms`);
      assert.equal((await call('GET', `${base}/api/events/ready`)).status, 503);
      assert.equal((await call('GET', `${base}/api/events/health`)).status, 200);
    } finally {
      await app.close();
      await bus.close();
      await db.drop();
      await scratch.drop().catch(() => {});
    }
  });
});
