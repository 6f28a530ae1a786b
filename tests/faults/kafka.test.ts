// Fault tests against a real broker (BUS_BACKEND=kafka only; bounded, loopback only): a private
// broker of their own, on free ports, is stopped and started again while events are posted and
// while the outbox holds events. The shared broker (KAFKA_BROKERS) is never touched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { asc } from 'drizzle-orm';
import { outbox } from '@cinemaabyss/outbox';
import { busBackend } from '../support/bus.ts';
import { startPrivateBroker, type PrivateBroker } from '../support/private-broker.ts';
import { eventually, startEventsStack, type EventsStack } from '../support/events-stack.ts';
import { call } from '../support/stack.ts';

if (busBackend() !== 'kafka') throw new Error('the fault suite needs BUS_BACKEND=kafka (npm run test:kafka)');

const ctx = {} as { stack: EventsStack };
let privateBroker: PrivateBroker | undefined;
const broker = (action: 'start' | 'stop') => privateBroker![action]();
// One hook: the stack must connect to this broker, once it is up.
before(async () => {
  privateBroker = await startPrivateBroker('faults');
  ctx.stack = await startEventsStack();
});
after(async () => {
  await ctx.stack?.close();
  privateBroker?.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Kafka broker outage', () => {
  test('every event that got a 201 and every committed outbox row is consumed exactly once', { timeout: 180_000 }, async () => {
    await eventually(async () => (await call('GET', `${ctx.stack.events}/api/events/ready`)).status === 200, 30_000, 'ready');
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    let posting = true;
    let n = 0;
    const poster = async (worker: number) => {
      while (posting && n < 2000) {
        const i = n++;
        const res = await call('POST', `${ctx.stack.events}/api/events/movie`, { movie_id: (i % 7) + 1, title: `fault-${i}`, action: 'viewed' });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) accepted.push(res.body.event.id);
        else assert.equal(res.status, 503, `worker ${worker}: ${res.text}`);
        if (i % 10 === 0) {
          await call('POST', `${ctx.stack.monolith}/api/users`, { username: `fault${i}`, email: `fault${i}@example.com` });
        }
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(poster));
    await sleep(1500);
    broker('stop');
    await sleep(3000); // posting goes on: the API answers 503, the outbox keeps the users' events
    broker('start');
    await sleep(2000);
    posting = false;
    await workers;

    assert.ok((statuses.get(503) ?? 0) > 0, `the outage was seen: ${JSON.stringify([...statuses])}`);
    assert.ok(accepted.length > 0);
    const rows = await ctx.stack.db.database.db.select().from(outbox).orderBy(asc(outbox.id));
    assert.ok(rows.length > 0);
    await eventually(() => accepted.every((id) => ctx.stack.processedCount(id) >= 1), 90_000, 'every 201 event processed');
    await eventually(() => rows.every((r) => ctx.stack.processedCount(r.eventId) >= 1), 90_000, 'every outbox event processed');
    for (const id of [...accepted, ...rows.map((r) => r.eventId)]) assert.equal(ctx.stack.processedCount(id), 1, `${id} processed once`);
  });

  test('a consumer restarted mid-stream resumes from its committed offset', { timeout: 120_000 }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await call('POST', `${ctx.stack.events}/api/events/user`, {
        user_id: (i % 5) + 1,
        action: `restart-${i}`,
        timestamp: new Date().toISOString(),
      });
      assert.equal(res.status, 201);
      ids.push(res.body.event.id);
      if (i === 150) await ctx.stack.restartConsumer();
    }
    await eventually(() => ids.every((id) => ctx.stack.processedCount(id) >= 1), 60_000, 'all processed after the restart');
    for (const id of ids) assert.equal(ctx.stack.processedCount(id), 1);
  });
});
