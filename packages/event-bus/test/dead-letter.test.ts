import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDeliveryPolicy, describeError, fromDeadLetter, isTransient, type BusMessage } from '../src/index.ts';
import { backoffMs } from '../src/delivery.ts';
import { toDeadLetter } from '../src/dead-letter.ts';
import { BusUnavailableError } from '../src/types.ts';

const record: BusMessage = {
  topic: 'movie-events',
  partition: 2,
  offset: 41,
  key: '7',
  value: '{"id":"x","payload":{"title":"nul \\u0000"}}',
  headers: { 'event-id': 'x', 'dead-letter-error': 'stale, from an earlier failure' },
  timestamp: new Date('2026-01-02T03:04:05.000Z'),
};

test('a dead letter keeps the original record and carries its origin and failure in headers', () => {
  const driverError = Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
  const failedAt = new Date('2026-01-02T03:04:06.000Z');
  const out = toDeadLetter(record, new Error('Failed query: insert into … params: …', { cause: driverError }), 5, failedAt);
  assert.equal(out.topic, 'movie-events.dlq');
  assert.equal(out.key, record.key);
  assert.equal(out.value, record.value);
  const back = fromDeadLetter({ ...record, topic: out.topic, partition: 0, offset: 3, headers: out.headers! });
  assert.deepEqual(back, {
    origin: { topic: 'movie-events', partition: 2, offset: 41, timestamp: '2026-01-02T03:04:05.000Z' },
    key: '7',
    value: record.value,
    headers: { 'event-id': 'x' },
    error: '22P05: unsupported Unicode escape sequence',
    attempts: 5,
    failedAt: '2026-01-02T03:04:06.000Z',
  });
});

test('a .dlq record another producer wrote without the headers still reads, its origin unknown', () => {
  const back = fromDeadLetter({ ...record, topic: 'user-events.dlq', headers: { 'dead-letter-attempts': '9'.repeat(20), 'dead-letter-failed-at': 'never' } });
  assert.deepEqual(back.origin, { topic: 'user-events', partition: null, offset: null, timestamp: record.timestamp.toISOString() });
  assert.equal(back.attempts, 0);
  assert.equal(back.failedAt, record.timestamp.toISOString());
  assert.match(back.error, /without dead-letter headers/);
});

test('errors are described without NUL and bounded', () => {
  assert.equal(describeError(new Error('a\u0000b')), 'Error: a\\u0000b');
  assert.ok(describeError('x'.repeat(5000)).length <= 1000);
});

test('transient means a dependency is down', () => {
  assert.ok(isTransient(new BusUnavailableError('down')));
  assert.ok(isTransient(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
  assert.ok(!isTransient(Object.assign(new Error('bad'), { code: '22P05' })));
  assert.ok(!isTransient(new Error('anything else')));
});

test('backoff doubles with jitter between half and the whole step, up to the cap', () => {
  const policy = { ...defaultDeliveryPolicy, retryBaseMs: 100, retryMaxMs: 1000 };
  for (let i = 0; i < 200; i++) {
    const first = backoffMs(1, policy);
    assert.ok(first >= 50 && first <= 100, String(first));
    const third = backoffMs(3, policy);
    assert.ok(third >= 200 && third <= 400, String(third));
    const late = backoffMs(40, policy);
    assert.ok(late >= 500 && late <= 1000, String(late));
  }
});
