// A record the bus refuses for good blocks only its own key, is reported (error log, metrics,
// readiness), and an operator parks and unparks it with the real CLI; a transient outage blocks
// nothing. Runs on either database and either bus (the refusal is injected by a bus wrapper).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ProtocolError } from '@platformatic/kafka';
import { asc, eq } from 'drizzle-orm';
import { connectPostgres, migrate, openPglite, type Database } from '@cinemaabyss/db';
import { enqueueEvent, outbox, type OutboxRow, monitorOutbox, startOutboxRelay, type OutboxRelay } from '@cinemaabyss/outbox';
import { BusUnavailableError, embeddedBusMigrations, type EventBus, type Subscription } from '@cinemaabyss/event-bus';
import { listen, type App } from '@cinemaabyss/http';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';
import { openTestBus, uniqueTopic } from '../support/bus.ts';
import { capturingLogger, eventually } from '../support/events-stack.ts';
import { call, quietLogger } from '../support/stack.ts';

const MAX_ATTEMPTS = 3;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The bus, except that it refuses `refused` event ids for good, as Kafka refuses a record over its size limit. */
function refusing(bus: EventBus, refused: Set<string>): EventBus {
  const wrapper = Object.create(bus) as EventBus;
  wrapper.send = async (message) => {
    if (refused.has(message.headers?.['event-id'] ?? '')) {
      // What the Kafka adapter throws for it: its "unavailable" error with the broker's code as the cause.
      throw new BusUnavailableError('Kafka is unavailable', { cause: new ProtocolError('MESSAGE_TOO_LARGE') });
    }
    return bus.send(message);
  };
  return wrapper;
}

/** The bus, down while `state.down` (like a stopped broker). */
function switchable(bus: EventBus, state: { down: boolean }): EventBus {
  const wrapper = Object.create(bus) as EventBus;
  wrapper.send = async (message) => {
    if (state.down) throw new BusUnavailableError('broker down (simulated)');
    return bus.send(message);
  };
  return wrapper;
}

/**
 * The bus as a Kafka producer sends: sends made together go in one request, and when the broker
 * refuses one record of it the whole request fails with that error.
 */
function batching(bus: EventBus, refused: Set<string>): EventBus {
  const wrapper = Object.create(bus) as EventBus;
  let batch: { message: Parameters<EventBus['send']>[0]; done: (error?: unknown) => void }[] = [];
  wrapper.send = (message) =>
    new Promise((resolve, reject) => {
      if (batch.length === 0) {
        setImmediate(async () => {
          const request = batch;
          batch = [];
          const refusal = request.find((p) => refused.has(p.message.headers?.['event-id'] ?? ''));
          for (const p of request) {
            if (refusal) p.done(new BusUnavailableError('Kafka is unavailable', { cause: new ProtocolError('MESSAGE_TOO_LARGE') }));
            else await bus.send(p.message).then(() => p.done(), p.done);
          }
        });
      }
      batch.push({ message, done: (error) => (error ? reject(error) : resolve({ topic: message.topic, partition: 0, offset: 0 })) });
    });
  return wrapper;
}

interface Received {
  key: string;
  eventId: string;
}

/** A database this file can hand to a second process: a PostgreSQL database, or a PGlite folder. */
async function operatorDatabase(): Promise<{ open(): Promise<Database>; env: Record<string, string>; drop(): Promise<void> }> {
  if (backend() === 'postgres') {
    const test: TestDatabase = await freshDatabase({ seed: false });
    await migrate(test.database, embeddedBusMigrations);
    const url = test.database.kind === 'postgres' ? test.database.pool.options.connectionString! : '';
    return { open: async () => test.database, env: { DB_CONNECTION_STRING: url }, drop: () => test.drop() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'outbox-stuck-'));
  const first = await openPglite({ dataDir });
  await migrate(first);
  await migrate(first, embeddedBusMigrations);
  await first.close();
  return {
    open: () => openPglite({ dataDir }),
    env: { PGLITE_DATA_DIR: dataDir, DB_CONNECTION_STRING: '', DATABASE_URL: '' },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** The monolith with its relay over `wrap(bus)`, and a consumer that records what reached the bus. */
async function startMonolith(
  database: Database,
  topic: string,
  received: Received[],
  wrap: (bus: EventBus) => EventBus,
  { log = quietLogger(), maxAttempts = MAX_ATTEMPTS } = {},
) {
  const bus = await openTestBus(database, uniqueTopic('outbox-stuck'));
  await bus.ensureTopics([topic]);
  // Batches of two: a held key's rows would fill them and starve the other keys if the relay did not skip them.
  const relay: OutboxRelay = startOutboxRelay({ database, bus: wrap(bus), log, batchSize: 2, idleMs: 20, maxBackoffMs: 200, maxAttempts });
  const app: App = await buildMonolithApp({ database, logger: quietLogger(), published: relay.notify, outbox: monitorOutbox(database, relay) });
  const url = await listen(app, 0, '127.0.0.1');
  const subscription: Subscription = await bus.subscribe({
    groupId: `${topic}-reader`,
    topics: [topic],
    fromBeginning: true,
    handler: async (m) => {
      received.push({ key: m.key, eventId: m.headers['event-id']! });
    },
  });
  return {
    url,
    relay,
    async stop() {
      await app.close();
      await subscription.stop();
      await relay.stop();
      await bus.close();
    },
  };
}

async function enqueue(database: Database, topic: string, keys: string[]): Promise<OutboxRow[]> {
  for (const [i, key] of keys.entries()) {
    await database.db.transaction((tx) => enqueueEvent(tx, { topic, key, type: 'movie', source: 'test', payload: { n: i } }));
  }
  return database.db.select().from(outbox).where(eq(outbox.topic, topic)).orderBy(asc(outbox.id));
}

/** Event ids of `key` in the order they first reached the bus (redeliveries are the consumer's to drop). */
const order = (received: Received[], key: string) => [...new Set(received.filter((r) => r.key === key).map((r) => r.eventId))];

const rowById = async (database: Database, id: number) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

/** One sample of a Prometheus text answer (the first series whose name and labels match). */
function sample(text: string, name: string, label = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  assert.ok(line, `metric ${name}${label} is exposed`);
  return Number(line.split(' ').at(-1));
}

const run = promisify(execFile);
/** The operator's command, as a child process: `npm run outbox -- <args>`. */
async function outboxCli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--conditions=source', 'packages/outbox/src/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('outbox: a row the bus refuses for good', () => {
  let db: Awaited<ReturnType<typeof operatorDatabase>>;
  before(async () => {
    db = await operatorDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  test('blocks only its key, is reported, and is parked and unparked by the operator', async () => {
    const topic = uniqueTopic('outbox-refused');
    const received: Received[] = [];
    const refused = new Set<string>();
    const { logger, lines } = capturingLogger();
    let database = await db.open();
    const rows = await enqueue(database, topic, ['a', 'b', 'a', 'b', 'a']);
    const [a1, b1, a2, b2, a3] = rows as [OutboxRow, OutboxRow, OutboxRow, OutboxRow, OutboxRow];
    refused.add(a1.eventId);
    let monolith = await startMonolith(database, topic, received, (bus) => refusing(bus, refused), { log: logger });
    // PGlite is one process's at a time: the operator's command runs while the service is stopped.
    const operate = async (...args: string[]) => {
      if (backend() === 'postgres') return outboxCli(db.env, ...args);
      await monolith.stop();
      await database.close();
      const result = await outboxCli(db.env, ...args);
      database = await db.open();
      monolith = await startMonolith(database, topic, received, (bus) => refusing(bus, refused), { log: logger });
      return result;
    };
    try {
      await eventually(async () => (await rowById(database, a1.id)).blockedAt !== null, 30_000, 'the refused row to be reported blocked');
      await eventually(() => order(received, 'b').length === 2, 30_000, 'the other key to flow');
      assert.deepEqual(order(received, 'b'), [b1.eventId, b2.eventId]);
      assert.deepEqual(order(received, 'a'), [], 'nothing of the blocked key overtakes it');
      const blocked = await rowById(database, a1.id);
      assert.ok(blocked.attempts >= MAX_ATTEMPTS, `attempts ${blocked.attempts}`);
      assert.match(blocked.lastError ?? '', /unavailable/);

      const line = lines.find((l) => l['level'] === 50 && l['outbox_id'] === a1.id);
      assert.ok(line, 'an error log line names the blocked row');
      assert.deepEqual([line['event_id'], line['topic'], line['key']], [a1.eventId, topic, 'a']);
      assert.match(JSON.stringify(line['err']), /MESSAGE_TOO_LARGE|unavailable/);
      assert.match(String(line['msg']), /blocks its key/);

      const ready = await call('GET', `${monolith.url}/ready`);
      assert.equal(ready.status, 200, 'a blocked key degrades the service; it still serves');
      assert.deepEqual(ready.body, { status: true, checks: { database: 'ok', outbox: 'degraded' } });
      const metrics = (await call('GET', `${monolith.url}/metrics`)).text;
      assert.equal(sample(metrics, 'outbox_blocked_rows'), 1);
      assert.equal(sample(metrics, 'outbox_pending_rows'), 3);
      assert.equal(sample(metrics, 'outbox_parked_rows'), 0);
      assert.ok(sample(metrics, 'outbox_oldest_pending_age_seconds') > 0);
      assert.ok(sample(metrics, 'outbox_publish_failures_total', 'kind="permanent"') >= MAX_ATTEMPTS);
      assert.equal(sample(metrics, 'outbox_publish_failures_total', 'kind="transient"'), 0);

      const status = await operate('status');
      assert.equal(status.code, 3, `status exits 3 while a row blocks its key: ${status.stdout}${status.stderr}`);
      assert.match(status.stdout, /^blocked\s+1\b/m);
      assert.match(status.stdout, /^pending\s+3\b/m);
      const list = await operate('list', '--blocked');
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, new RegExp(`^${a1.id}\\s+${a1.eventId}\\s+${topic}\\s+a\\s+movie\\s+blocked\\b`, 'm'));
      assert.doesNotMatch(list.stdout, new RegExp(a2.eventId), 'only the blocked row');

      const park = await operate('park', String(a1.id), '--reason', 'record too large for the broker');
      assert.equal(park.code, 0, park.stderr);
      assert.match(park.stdout, /parked/);
      await eventually(() => order(received, 'a').length === 2, 30_000, "the parked row's key to flow again");
      assert.deepEqual(order(received, 'a'), [a2.eventId, a3.eventId], 'the later rows of the key, in order');
      const parked = await rowById(database, a1.id);
      assert.equal(parked.publishedAt, null, 'a parked row is never published automatically');
      assert.equal(parked.parkedReason, 'record too large for the broker');
      const afterPark = await call('GET', `${monolith.url}/ready`);
      assert.deepEqual(afterPark.body.checks, { database: 'ok', outbox: 'ok' });
      const parkedMetrics = (await call('GET', `${monolith.url}/metrics`)).text;
      assert.equal(sample(parkedMetrics, 'outbox_blocked_rows'), 0);
      assert.equal(sample(parkedMetrics, 'outbox_parked_rows'), 1);
      assert.equal(sample(parkedMetrics, 'outbox_pending_rows'), 0);
      const parkedList = await operate('list', '--parked');
      assert.match(parkedList.stdout, new RegExp(`^${a1.id}\\s.*\\bparked\\b.*record too large for the broker`, 'm'));
      assert.equal((await operate('status')).code, 0);

      refused.clear(); // the fix (e.g. the broker's size limit raised)
      const unpark = await operate('unpark', String(a1.id));
      assert.equal(unpark.code, 0, unpark.stderr);
      await eventually(() => order(received, 'a').length === 3, 30_000, 'the unparked row to be published');
      assert.deepEqual(order(received, 'a'), [a2.eventId, a3.eventId, a1.eventId], 'republished after the rows that went out without it');
      const republished = await rowById(database, a1.id);
      assert.notEqual(republished.publishedAt, null);
      assert.equal(republished.parkedAt, null);

      const again = await operate('park', String(a1.id), '--reason', 'late');
      assert.equal(again.code, 1, 'a published row cannot be parked');
      assert.match(again.stderr, /was published/);
      assert.equal((await operate('unpark', '999999')).code, 1);
      // Usage errors exit before opening the database.
      assert.equal((await outboxCli(db.env, 'park', String(a2.id))).code, 2, 'park without --reason is a usage error');
      assert.equal((await outboxCli(db.env, 'list', '--blocked', '--parked')).code, 2);
      assert.equal((await outboxCli(db.env, 'frobnicate')).code, 2);
    } finally {
      await monolith.stop();
      if (backend() === 'pglite') await database.close();
    }
  });
});

describe('outbox: publish failures that are not the row', () => {
  let test_: TestDatabase;
  before(async () => {
    test_ = await freshDatabase({ seed: false });
    await migrate(test_.database, embeddedBusMigrations);
  });
  after(async () => {
    await test_?.drop();
  });

  test('a transient outage backs off and then publishes everything in order, never blocking or parking', async () => {
    const { database } = test_;
    const topic = uniqueTopic('outbox-outage');
    const received: Received[] = [];
    const state = { down: true };
    const monolith = await startMonolith(database, topic, received, (bus) => switchable(bus, state));
    try {
      const rows = await enqueue(database, topic, ['c', 'd', 'c', 'd', 'c']);
      monolith.relay.notify();
      await eventually(() => monolith.relay.failures.transient > MAX_ATTEMPTS * 2, 30_000, 'retries while the bus is down');
      const during = await call('GET', `${monolith.url}/ready`);
      assert.deepEqual(during.body, { status: true, checks: { database: 'ok', outbox: 'ok' } });
      const metrics = (await call('GET', `${monolith.url}/metrics`)).text;
      assert.equal(sample(metrics, 'outbox_blocked_rows'), 0);
      assert.equal(sample(metrics, 'outbox_pending_rows'), 5);
      assert.ok(sample(metrics, 'outbox_publish_failures_total', 'kind="transient"') > MAX_ATTEMPTS * 2);

      state.down = false;
      assert.ok(await monolith.relay.drained(30_000), 'published once the bus is back');
      await eventually(() => order(received, 'c').length === 3 && order(received, 'd').length === 2, 30_000, 'every event');
      const ids = (key: string) => rows.filter((r) => r.key === key).map((r) => r.eventId);
      assert.deepEqual(order(received, 'c'), ids('c'));
      assert.deepEqual(order(received, 'd'), ids('d'));
      const stored = await database.db.select().from(outbox).where(eq(outbox.topic, topic));
      assert.ok(stored.every((r) => r.blockedAt === null && r.parkedAt === null && r.publishedAt !== null));
      assert.ok(
        stored.some((r) => /simulated/.test(r.lastError ?? '')),
        'the outage is shown on the row it held back',
      );
      assert.equal(monolith.relay.failures.permanent, 0);
    } finally {
      await monolith.stop();
    }
  });

  test('a refusal that fails a whole produce request is charged only to the refused row', async () => {
    const { database } = test_;
    const topic = uniqueTopic('outbox-batch');
    const received: Received[] = [];
    const refused = new Set<string>();
    const rows = await enqueue(database, topic, ['poison', 'e', 'f', 'e', 'f']);
    refused.add(rows[0]!.eventId);
    // One refusal alone is enough to block: a neighbour charged for a refusal in company would be blocked too.
    const monolith = await startMonolith(database, topic, received, (bus) => batching(bus, refused), { maxAttempts: 1 });
    try {
      await eventually(async () => (await rowById(database, rows[0]!.id)).blockedAt !== null, 30_000, 'the refused row blocked');
      await eventually(() => order(received, 'e').length === 2 && order(received, 'f').length === 2, 30_000, 'its neighbours published');
      const neighbours = await database.db.select().from(outbox).where(eq(outbox.topic, topic));
      for (const row of neighbours.filter((r) => r.key !== 'poison')) {
        assert.equal(row.blockedAt, null, `row ${row.id} (${row.key}) refused only in company is not blocked`);
        assert.notEqual(row.publishedAt, null);
      }
      assert.deepEqual(
        order(received, 'e'),
        rows.filter((r) => r.key === 'e').map((r) => r.eventId),
      );
    } finally {
      await monolith.stop();
    }
  });
});

describe('outbox monitoring while the database is down', () => {
  test('/metrics still answers (outbox gauges unknown) and readiness is 503', async () => {
    const database = backend() === 'postgres' ? connectPostgres({ url: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMs: 500 }) : await openPglite();
    if (database.kind === 'pglite') await database.close();
    const app = await buildMonolithApp({ database, logger: quietLogger(), outbox: monitorOutbox(database) });
    try {
      const url = await listen(app, 0, '127.0.0.1');
      const metrics = await call('GET', `${url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.ok(Number.isNaN(sample(metrics.text, 'outbox_pending_rows')));
      assert.doesNotMatch(metrics.text, /outbox_publish_failures_total/, 'no relay in this process, no failure counter');
      const ready = await call('GET', `${url}/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body.checks, { database: 'unavailable', outbox: 'unavailable' });
    } finally {
      await app.close();
      await database.close();
    }
  });
});
