// One contract for both event-bus adapters (embedded and Kafka): run with BUS_BACKEND set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BusUnavailableError, type BusMessage, type EventBus } from '@cinemaabyss/event-bus';
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
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `${key} offsets increase`);
      assert.equal(new Set(offsets).size, offsets.length);
    }
    const got = await collect([topic], uniqueTopic('g'), (g) => g.length >= 30);
    assert.equal(got.length, 30);
    for (const key of ['k0', 'k1', 'k2']) {
      const values = got.filter((m) => m.key === key).map((m) => Number(m.value));
      assert.deepEqual(values, [...values].sort((a, b) => a - b), `${key} consumed in order`);
    }
    const first = got.find((m) => m.value === '0')!;
    assert.equal(first.headers['n'], '0');
    assert.equal(first.offset, results[0]!.offset);
    assert.equal(first.partition, results[0]!.partition);
  });

  test('a restarted consumer resumes after the last committed offset', async () => {
    const topic = uniqueTopic('resume');
    const group = uniqueTopic('g');
    await bus.ensureTopics([topic]);
    for (let i = 0; i < 10; i++) await bus.send({ topic, key: 'same', value: String(i) });
    const firstRun = await collect([topic], group, (g) => g.length >= 10);
    assert.deepEqual(firstRun.map((m) => m.value), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (let i = 10; i < 15; i++) await bus.send({ topic, key: 'same', value: String(i) });
    const secondRun = await collect([topic], group, (g) => g.length >= 5);
    assert.deepEqual(secondRun.map((m) => m.value), ['10', '11', '12', '13', '14']);
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
