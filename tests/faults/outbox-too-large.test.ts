// The outbox against a real broker's refusal (BUS_BACKEND=kafka only): a record over Kafka's size
// limit (message.max.bytes, 1 MB by default) is MESSAGE_TOO_LARGE for good. It blocks its key, and
// only it: the records that shared its produce request, which Kafka failed with it, go out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asc, eq } from 'drizzle-orm';
import type { Database } from '@cinemaabyss/db';
import { enqueueEvent, outbox, parkOutboxRow, startOutboxRelay } from '@cinemaabyss/outbox';
import { openKafkaBus, type EventBus } from '@cinemaabyss/event-bus';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { busBackend, kafkaBrokers, uniqueTopic } from '../support/bus.ts';
import { eventually } from '../support/events-stack.ts';
import { quietLogger } from '../support/stack.ts';

if (busBackend() !== 'kafka') throw new Error('this suite needs BUS_BACKEND=kafka (npm run test:kafka)');

let test_: TestDatabase;
let bus: EventBus;
before(async () => {
  test_ = await freshDatabase({ seed: false });
  bus = await openKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueTopic('outbox-too-large'), sendTimeoutMs: 5000 });
});
after(async () => {
  await bus?.close();
  await test_?.drop();
});

const rowsOf = (database: Database, topic: string) => database.db.select().from(outbox).where(eq(outbox.topic, topic)).orderBy(asc(outbox.id));

test('a record Kafka refuses as too large blocks only its key; parking it lets the key flow', async () => {
  const { database } = test_;
  const topic = uniqueTopic('outbox-too-large');
  await bus.ensureTopics([topic]);
  const payloads: [string, Record<string, unknown>][] = [
    ['big', { blob: 'x'.repeat(2_000_000) }],
    ['small', { n: 1 }],
    ['big', { n: 2 }],
    ['other', { n: 3 }],
  ];
  for (const [key, payload] of payloads) {
    await database.db.transaction((tx) => enqueueEvent(tx, { topic, key, type: 'movie', source: 'test', payload }));
  }
  const [big, small, later, other] = await rowsOf(database, topic);
  const relay = startOutboxRelay({ database, bus, log: quietLogger(), idleMs: 20, maxBackoffMs: 200, maxAttempts: 2 });
  try {
    await eventually(async () => (await rowsOf(database, topic))[0]!.blockedAt !== null, 60_000, 'the big record reported blocked');
    await eventually(
      async () => {
        const rows = await rowsOf(database, topic);
        return [small, other].every((r) => rows.find((x) => x.id === r!.id)!.publishedAt !== null);
      },
      60_000,
      'the other keys published',
    );
    const rows = await rowsOf(database, topic);
    const byId = (id: number) => rows.find((r) => r.id === id)!;
    assert.match(byId(big!.id).lastError ?? '', /unavailable/i);
    assert.equal(byId(later!.id).publishedAt, null, 'nothing of the blocked key overtakes it');
    assert.equal(byId(small!.id).blockedAt, null, 'refused with the big record in one request, but not blocked');
    assert.equal(byId(other!.id).blockedAt, null);
    assert.ok(relay.failures.permanent >= 2);

    assert.equal((await parkOutboxRow(database.db, big!.id, 'over message.max.bytes')).ok, true);
    await eventually(async () => (await rowsOf(database, topic)).find((r) => r.id === later!.id)!.publishedAt !== null, 60_000, 'the key to flow');
    assert.equal((await rowsOf(database, topic))[0]!.publishedAt, null, 'the parked record stays unpublished');
  } finally {
    await relay.stop();
  }
});
