import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_TOPICS, EVENT_TYPES, EventTopic, eventRecord, MigrationChanged, MovieChanged, PaymentEvent, UserEvent } from '../src/index.ts';

// The wire names, topics and keys are a public contract (the events API, Kafka records, ce_type
// headers): spelled out here so that a change to the catalogue is a deliberate one.
test('the event catalogue: wire type, topic and key field of each event type', () => {
  assert.deepEqual(
    EVENT_TYPES.map(({ type, topic, key }) => ({ type, topic, key })),
    [
      { type: 'user', topic: 'user-events', key: 'user_id' },
      { type: 'movie', topic: 'movie-events', key: 'movie_id' },
      { type: 'payment', topic: 'payment-events', key: 'user_id' },
      { type: 'migration.changed', topic: 'migration-events', key: 'route' },
      { type: 'movie', topic: 'movie-events', key: 'movie_id' },
    ],
  );
  assert.deepEqual(ALL_TOPICS, ['user-events', 'movie-events', 'payment-events', 'migration-events']);
  assert.deepEqual((EventTopic as unknown as { enum: string[] }).enum, ALL_TOPICS);
});

test('eventRecord fills topic, type and key from the event type', () => {
  const at = '2026-01-01T00:00:00.000Z';
  assert.deepEqual(eventRecord(UserEvent, { user_id: 7, action: 'created', timestamp: at }), {
    topic: 'user-events',
    key: '7',
    type: 'user',
    payload: { user_id: 7, action: 'created', timestamp: at },
  });
  const payment = { payment_id: 3, user_id: 9, amount: 1.5, status: 'completed', timestamp: at };
  assert.equal(eventRecord(PaymentEvent, payment).key, '9');
  assert.equal(eventRecord(MigrationChanged, { route: 'movies' }).key, 'movies');
  const change = { movie_id: 4, title: 't', description: '', genres: [], rating: 1, action: 'created', version: 1, store: 'movies' as const };
  assert.deepEqual(eventRecord(MovieChanged, change), { topic: 'movie-events', key: '4', type: 'movie', payload: change });
});
