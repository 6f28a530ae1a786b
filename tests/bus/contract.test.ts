// One contract for both event-bus adapters (embedded and Kafka): run with BUS_BACKEND set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BusUnavailableError,
  deadLetterTopic,
  fromDeadLetter,
  newEnvelope,
  toMessage,
  type BusMessage,
  type DeadLetterEvent,
  type EventBus,
  type RetryEvent,
} from '@cinemaabyss/event-bus';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { busBackend, openDeadBus, openTestBus, uniqueTopic } from '../support/bus.ts';

let t: TestDatabase;
let bus: EventBus;
before(async () => {
  t = await freshDatabase({ seed: false });
  bus = await openTestBus(t.database);
});
after(async () => {
  await bus?.close();
  await t?.drop();
});

async function collect(topics: string[], groupId: string, until: (got: BusMessage[]) => boolean, onMessage?: (m: BusMessage) => Promise<void>) {
  const got: BusMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const subscription = await bus.subscribe({
    groupId,
    topics,
    fromBeginning: true,
    handler: async (m) => {
      await onMessage?.(m);
      got.push(m);
      if (until(got)) done();
    },
  });
  const timeout = setTimeout(done, 30_000);
  await finished;
  clearTimeout(timeout);
  await subscription.stop();
  return got;
}

/** Polls until `check` is true (bounded). */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fast = { retryBaseMs: 10, retryMaxMs: 50 };

describe(`event bus contract (${busBackend()})`, () => {
  test('messages of one key keep their order on one partition; offsets increase', async () => {
    const topic = uniqueTopic('order');
    await bus.ensureTopics([topic]);
    const sends = [];
    for (let i = 0; i < 30; i++) sends.push(bus.send({ topic, key: `k${i % 3}`, value: String(i), headers: { n: String(i) } }));
    const results = await Promise.all(sends);
    for (const key of ['k0', 'k1', 'k2']) {
      const mine = results.filter((_, i) => `k${i % 3}` === key);
      assert.equal(new Set(mine.map((r) => r.partition)).size, 1, `${key} stays on one partition`);
      const offsets = mine.map((r) => r.offset);
      assert.deepEqual(
        offsets,
        [...offsets].sort((a, b) => a - b),
        `${key} offsets increase`,
      );
      assert.equal(new Set(offsets).size, offsets.length);
    }
    const got = await collect([topic], uniqueTopic('g'), (g) => g.length >= 30);
    assert.equal(got.length, 30);
    for (const key of ['k0', 'k1', 'k2']) {
      const values = got.filter((m) => m.key === key).map((m) => Number(m.value));
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        `${key} consumed in order`,
      );
    }
    const first = got.find((m) => m.value === '0')!;
    assert.equal(first.headers['n'], '0');
    assert.equal(first.offset, results[0]!.offset);
    assert.equal(first.partition, results[0]!.partition);
  });

  test('an event record carries the CloudEvents Kafka binding headers (binary mode), its value unchanged', async () => {
    const topic = uniqueTopic('cloudevents');
    await bus.ensureTopics([topic]);
    const event = newEnvelope('user', { user_id: 7, username: 'ce', action: 'created' }, 'monolith');
    await bus.send(toMessage(topic, '7', event));
    const [got] = await collect([topic], uniqueTopic('g'), (g) => g.length >= 1);
    assert.ok(got);
    assert.deepEqual(Object.fromEntries(Object.entries(got.headers).filter(([name]) => name.startsWith('ce_') || name === 'content-type')), {
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: 'user',
      ce_source: '/cinemaabyss/monolith',
      ce_time: event.timestamp,
      'content-type': 'application/json',
    });
    assert.deepEqual(JSON.parse(got.value), event, 'the value is the event envelope, as before');
    assert.equal(got.headers['traceparent'], undefined, 'no trace context with tracing off');
  });

  test('a restarted consumer resumes after the last committed offset', async () => {
    const topic = uniqueTopic('resume');
    const group = uniqueTopic('g');
    await bus.ensureTopics([topic]);
    for (let i = 0; i < 10; i++) await bus.send({ topic, key: 'same', value: String(i) });
    const firstRun = await collect([topic], group, (g) => g.length >= 10);
    assert.deepEqual(
      firstRun.map((m) => m.value),
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    for (let i = 10; i < 15; i++) await bus.send({ topic, key: 'same', value: String(i) });
    const secondRun = await collect([topic], group, (g) => g.length >= 5);
    assert.deepEqual(
      secondRun.map((m) => m.value),
      ['10', '11', '12', '13', '14'],
    );
  });

  test('a handler failure means redelivery of the same message, and an id check makes it count once', async () => {
    const topic = uniqueTopic('redeliver');
    await bus.ensureTopics([topic]);
    for (let i = 0; i < 5; i++) await bus.send({ topic, key: 'k', value: `event-${i}` });
    const seen = new Set<string>();
    const effects: string[] = [];
    let deliveries = 0;
    let failed = false;
    await collect(
      [topic],
      uniqueTopic('g'),
      () => effects.length >= 5,
      async (m) => {
        deliveries++;
        if (!seen.has(m.value)) {
          seen.add(m.value);
          effects.push(m.value);
        }
        if (m.value === 'event-2' && !failed) {
          failed = true;
          throw new Error('crash after the side effect, before the commit');
        }
      },
    );
    assert.ok(deliveries >= 6, 'event-2 was delivered again');
    assert.deepEqual(effects, ['event-0', 'event-1', 'event-2', 'event-3', 'event-4']);
  });

  test('a record failing permanently is dead-lettered after maxAttempts with its metadata; later records of its partition and of other topics are processed', async () => {
    const [a, b] = [uniqueTopic('poison'), uniqueTopic('other')];
    await bus.ensureTopics([a, b]);
    const sent = [];
    for (const value of ['a0', 'poison', 'a1', 'a2']) sent.push(await bus.send({ topic: a, key: 'one', value, headers: { origin: value } }));
    for (const value of ['b0', 'b1']) await bus.send({ topic: b, key: 'one', value });
    const processed: string[] = [];
    let poisonAttempts = 0;
    const dead: DeadLetterEvent[] = [];
    const retries: RetryEvent[] = [];
    const subscription = await bus.subscribe({
      groupId: uniqueTopic('g'),
      topics: [a, b],
      fromBeginning: true,
      policy: { ...fast, maxAttempts: 3 },
      observer: { deadLettered: (e) => dead.push(e), retrying: (e) => retries.push(e) },
      // The batch fails as a whole while the poison is in it: the bus isolates it record by record.
      handleBatch: async (messages) => {
        if (messages.some((m) => m.value === 'poison')) throw new Error('batch refused');
        processed.push(...messages.map((m) => m.value));
      },
      handler: async (m) => {
        if (m.value === 'poison') {
          poisonAttempts++;
          throw new Error('cannot store this one');
        }
        processed.push(m.value);
      },
    });
    try {
      await until(() => ['a0', 'a1', 'a2', 'b0', 'b1'].every((v) => processed.includes(v)), 'the records after the poison');
      assert.deepEqual(
        processed.filter((v) => v.startsWith('a')),
        ['a0', 'a1', 'a2'],
        'in order, each once',
      );
      assert.equal(poisonAttempts, 3);
      assert.equal(dead.length, 1);
      assert.deepEqual({ ...dead[0], error: undefined }, { topic: a, partition: sent[1]!.partition, offset: sent[1]!.offset, attempts: 3, error: undefined });
      assert.ok(retries.every((r) => !r.transient) && retries.length === 2, 'two permanent retries before the dead letter');
      assert.ok(subscription.status().every((p) => !p.stuck && !p.retrying));
    } finally {
      await subscription.stop();
    }

    const [letter] = await collect([deadLetterTopic(a)], uniqueTopic('g'), (g) => g.length >= 1);
    assert.ok(letter);
    assert.equal(letter.key, 'one');
    assert.equal(letter.value, 'poison');
    const parsed = fromDeadLetter(letter);
    assert.deepEqual(parsed.origin, { topic: a, partition: sent[1]!.partition, offset: sent[1]!.offset, timestamp: parsed.origin.timestamp });
    assert.deepEqual(parsed.headers, { origin: 'poison' }, 'the original headers, unchanged');
    assert.equal(parsed.attempts, 3);
    assert.match(parsed.error, /cannot store this one/);
    assert.ok(!Number.isNaN(Date.parse(parsed.failedAt)) && !Number.isNaN(Date.parse(parsed.origin.timestamp)));

    // Replay: the original record sent back to its topic is delivered again, as it was.
    await bus.send({ topic: a, key: parsed.key, value: parsed.value, headers: parsed.headers });
    const again = await collect([a], uniqueTopic('g'), (g) => g.some((m) => m.value === 'poison'));
    const replayed = again.filter((m) => m.value === 'poison').at(-1)!;
    assert.deepEqual(replayed.headers, { origin: 'poison' });
    assert.ok(replayed.offset > sent[3]!.offset);
  });

  test('a transient failure is retried until it succeeds, reported stuck meanwhile, never dead-lettered', async () => {
    const topic = uniqueTopic('transient');
    await bus.ensureTopics([topic]);
    await bus.send({ topic, key: 'k', value: 'flaky' });
    await bus.send({ topic, key: 'k', value: 'after' });
    const processed: string[] = [];
    const retries: RetryEvent[] = [];
    const dead: DeadLetterEvent[] = [];
    let outage = true;
    const subscription = await bus.subscribe({
      groupId: uniqueTopic('g'),
      topics: [topic],
      fromBeginning: true,
      policy: { ...fast, maxAttempts: 2, stuckAfterMs: 100 },
      observer: { deadLettered: (e) => dead.push(e), retrying: (e) => retries.push(e) },
      handler: async (m) => {
        if (m.value === 'flaky' && outage) throw new BusUnavailableError('database down (simulated)');
        processed.push(m.value);
      },
    });
    try {
      // Past maxAttempts (2) and still retrying: outages are not counted against the record. (Waited
      // for, not asserted at the first stuck report: on a busy machine that may come after 2 tries.)
      await until(
        () => retries.length > 2 && subscription.status().some((p) => p.topic === topic && p.stuck),
        'stuck reported, more attempts than maxAttempts',
      );
      const stuck = subscription.status().find((p) => p.stuck)!;
      assert.equal(stuck.retrying?.transient, true);
      assert.match(stuck.retrying?.error ?? '', /simulated/);
      assert.ok(retries.every((r) => r.transient && r.topic === topic));
      assert.deepEqual(processed, []);
      outage = false;
      await until(() => processed.length === 2, 'processed after the outage');
      assert.deepEqual(processed, ['flaky', 'after']);
      assert.deepEqual(dead, []);
      assert.ok(subscription.status().every((p) => !p.stuck && !p.retrying));
    } finally {
      await subscription.stop();
    }
  });

  test('a batch handler gets consecutive records of one partition, and the positions follow', async () => {
    const topic = uniqueTopic('batch');
    await bus.ensureTopics([topic]);
    for (let i = 0; i < 50; i++) await bus.send({ topic, key: 'k', value: String(i) });
    const batches: number[][] = [];
    const subscription = await bus.subscribe({
      groupId: uniqueTopic('g'),
      topics: [topic],
      fromBeginning: true,
      handler: async (m) => void batches.push([Number(m.value)]),
      handleBatch: async (messages) => void batches.push(messages.map((m) => Number(m.value))),
    });
    try {
      await until(() => batches.flat().length >= 50, 'all 50');
      assert.deepEqual(
        batches.flat(),
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.ok(
        batches.some((b) => b.length > 1),
        'records already on the bus come in batches',
      );
      await until(() => subscription.status().some((p) => p.topic === topic && p.position === 50 && p.lag === 0), 'lag 0 at the end', 30_000);
    } finally {
      await subscription.stop();
    }
  });

  test('with the broker down, send fails with BusUnavailableError within a bounded time', async () => {
    const other = await freshDatabase({ seed: false });
    const dead = await openDeadBus(other.database);
    try {
      const started = Date.now();
      await assert.rejects(dead.send({ topic: 'movie-events', key: '1', value: '{}' }), BusUnavailableError);
      assert.ok(Date.now() - started < 8000, `failed after ${Date.now() - started} ms`);
      await assert.rejects(dead.ping());
    } finally {
      await dead.close();
      await other.drop().catch(() => {});
    }
  });
});
