// Poison events end to end, on either bus (BUS_BACKEND): records another producer put on the bus
// that the consumer can never store are dead-lettered, everything after them is processed, the
// operator sees them (admin endpoints, metrics, readiness) and replays them after a fix.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { MovieEvent, UserEvent } from '@cinemaabyss/api';
import { newEnvelope, toMessage, type BusMessage, type SendResult } from '@cinemaabyss/event-bus';
import { eventually, setupEventsStack } from '../support/events-stack.ts';
import { call } from '../support/stack.ts';
import { consumerStatus } from './consumer-status.ts';

const MAX_ATTEMPTS = 3;
const ctx = setupEventsStack({ delivery: { maxAttempts: MAX_ATTEMPTS, retryBaseMs: 20, retryMaxMs: 200, stuckAfterMs: 1500 } });
const admin = (path: string) => `${ctx.stack.events}/admin${path}`;
const db = () => ctx.stack.db.database.db;

/** As GET /admin/dead-letters lists them: the original record and its failure. */
interface DeadLetter extends Omit<BusMessage, 'timestamp'> {
  id: number;
  error: string;
  attempts: number;
  replayed_at: string | null;
}
const deadLetters = async (query = ''): Promise<DeadLetter[]> => (await call('GET', admin(`/dead-letters${query}`))).body;
const ready = async () => (await call('GET', `${ctx.stack.events}/api/events/ready`)).body as { status: boolean; checks: Record<string, string> };
const metrics = async () => (await call('GET', `${ctx.stack.events}/metrics`)).text;

/** A trigger that makes the database refuse some rows of `table`: a stand-in for a consumer bug or a constraint, fixed by dropping it. */
async function refuse(table: string, when: string): Promise<() => Promise<void>> {
  await db().execute(
    sql.raw(
      `CREATE FUNCTION refuse_${table}() RETURNS trigger AS $$ BEGIN IF ${when} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    ),
  );
  await db().execute(sql.raw(`CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_${table}()`));
  return async () => {
    await db().execute(sql.raw(`DROP TRIGGER refuse_${table} ON ${table}`));
    await db().execute(sql.raw(`DROP FUNCTION refuse_${table}()`));
  };
}

describe(`poison events (${process.env['BUS_BACKEND'] ?? 'embedded'} bus)`, () => {
  const poison: { nul?: SendResult & { value: string }; raw?: SendResult & { value: string } } = {};

  test('records that can never be stored are dead-lettered; every later event of every topic is processed', async () => {
    await eventually(async () => (await ready()).status, 30_000, 'ready');
    // As another producer would: straight onto the bus, past the API's validation.
    const nul = toMessage(MovieEvent.topic, '1', newEnvelope('movie', { movie_id: 1, title: 'nul \u0000 inside', action: 'viewed' }, 'other-producer'));
    poison.nul = { ...(await ctx.stack.bus.send(nul)), value: nul.value };
    const raw = { topic: UserEvent.topic, key: '1', value: 'this is not JSON {', headers: { 'content-type': 'text/plain' } };
    poison.raw = { ...(await ctx.stack.bus.send(raw)), value: raw.value };

    const later = [
      ['movie', { movie_id: 1, title: 'Same key as the poison', action: 'viewed' }],
      ['movie', { movie_id: 2, title: 'Other key', action: 'viewed' }],
      ['user', { user_id: 1, action: 'logged_in', timestamp: '2025-05-01T10:00:00Z' }],
      ['payment', { payment_id: 1, user_id: 1, amount: 5, status: 'completed', timestamp: '2025-05-01T10:00:00Z' }],
    ] as const;
    const ids: string[] = [];
    for (const [type, body] of later) {
      const res = await call('POST', `${ctx.stack.events}/api/events/${type}`, body);
      assert.equal(res.status, 201, res.text);
      ids.push(res.body.event.id);
    }
    await eventually(() => ids.every((id) => ctx.stack.processedCount(id) === 1), 30_000, 'every later event processed');

    await eventually(async () => (await deadLetters()).length === 2, 30_000, 'two dead letters');
    const [movie, user] = [(await deadLetters(`?topic=${MovieEvent.topic}`))[0]!, (await deadLetters(`?topic=${UserEvent.topic}`))[0]!];
    assert.deepEqual(
      { topic: movie.topic, partition: movie.partition, offset: movie.offset, key: movie.key, value: movie.value, headers: movie.headers },
      { topic: MovieEvent.topic, partition: poison.nul.partition, offset: poison.nul.offset, key: '1', value: nul.value, headers: nul.headers },
      'the original record, exactly, and where it failed',
    );
    assert.equal(movie.attempts, MAX_ATTEMPTS);
    assert.match(movie.error, /22P05|unicode/i, 'the database refused the NUL');
    assert.equal(movie.replayed_at, null);
    assert.deepEqual([user.partition, user.offset, user.value, user.headers], [poison.raw.partition, poison.raw.offset, raw.value, raw.headers]);
    assert.equal(user.attempts, 1, 'not an event: dead-lettered at once');
    assert.match(user.error, /not an event envelope/);

    // Moved on: ready, the dead letters counted.
    assert.deepEqual((await ready()).checks, { broker: 'ok', database: 'ok', consumer: 'ok' });
    assert.deepEqual((await consumerStatus(ctx.stack.events)).dead_letters, { pending: 2, replayed: 0 });
    const text = await metrics();
    assert.match(text, /events_dead_letters_total\{topic="movie-events"[^}]*\} 1\b/);
    assert.match(text, /events_dead_letters_total\{topic="user-events"[^}]*\} 1\b/);
    assert.match(text, /events_dead_letters_pending(\{[^}]*\})? 2\b/);
    assert.match(text, /events_consumer_lag\{topic="movie-events",partition="\d+"[^}]*\} \d+/);
    const retried = ctx.stack.lines.filter(
      (l) => l['msg'] === 'record failed: retrying' && l['topic'] === MovieEvent.topic && l['offset'] === poison.nul!.offset,
    );
    assert.equal(retried.length, MAX_ATTEMPTS - 1, 'a warn line per retry');
    assert.ok(ctx.stack.lines.some((l) => l['level'] === 50 && l['offset'] === poison.nul!.offset && /dead-lettered/.test(String(l['msg']))));
  });

  test('a partition stuck on one record makes readiness fail and names it; it recovers once the cause is gone', async () => {
    const fixed = await refuse('dead_letters', 'true');
    let restored = false;
    try {
      const sent = await ctx.stack.bus.send({ topic: UserEvent.topic, key: '2', value: 'not JSON either' });
      // Its dead letter cannot be stored: records of .dlq topics are retried without limit, never dead-lettered again.
      await eventually(async () => !(await ready()).status, 30_000, 'readiness failing');
      assert.equal((await ready()).checks['consumer'], 'stuck');
      const stuck = (await consumerStatus(ctx.stack.events)).partitions.filter((p) => p.stuck);
      assert.equal(stuck.length, 1);
      assert.equal(stuck[0]!.topic, `${UserEvent.topic}.dlq`);
      assert.match(stuck[0]!.retrying!.error, /refused by the test/);
      assert.match(await metrics(), new RegExp(`events_consumer_stuck\\{topic="user-events.dlq",partition="${stuck[0]!.partition}"[^}]*\\} 1`));
      await fixed();
      restored = true;
      await eventually(async () => (await ready()).status, 30_000, 'ready again');
      await eventually(
        async () => (await deadLetters()).some((d) => d.offset === sent.offset && d.topic === UserEvent.topic && d.key === '2'),
        30_000,
        'stored',
      );
    } finally {
      if (!restored) await fixed();
    }
  });

  test('after a fix, replaying a dead letter processes it; replay-all re-sends only those not replayed yet', async () => {
    const fixed = await refuse('processed_events', "NEW.payload->>'title' = 'cursed'");
    const res = await call('POST', `${ctx.stack.events}/api/events/movie`, { movie_id: 3, title: 'cursed', action: 'viewed' });
    assert.equal(res.status, 201);
    const id = res.body.event.id as string;
    await eventually(async () => (await deadLetters()).some((d) => d.headers['event-id'] === id), 30_000, 'the cursed event dead-lettered');
    const cursed = (await deadLetters()).find((d) => d.headers['event-id'] === id)!;
    assert.equal(cursed.attempts, MAX_ATTEMPTS);
    assert.match(cursed.error, /refused by the test/);
    assert.equal(ctx.stack.processedCount(id), 0);

    await fixed();
    const replay = await call('POST', admin(`/dead-letters/replay?id=${cursed.id}`));
    assert.equal(replay.status, 200, replay.text);
    assert.deepEqual(
      replay.body.replayed.map((r: { id: number; topic: string }) => [r.id, r.topic]),
      [[cursed.id, MovieEvent.topic]],
    );
    await eventually(() => ctx.stack.processedCount(id) === 1, 30_000, 'the replayed event processed');
    assert.notEqual((await deadLetters()).find((d) => d.id === cursed.id)!.replayed_at, null);
    assert.equal((await call('POST', admin('/dead-letters/replay?id=999999'))).status, 404);
    for (const bad of [
      '/dead-letters/replay?id=0',
      '/dead-letters/replay?id=99999999999999999999',
      '/dead-letters/replay?id=x',
      '/dead-letters/replay?topic=a%00b',
    ]) {
      assert.equal((await call('POST', admin(bad))).status, 400, bad);
    }
    assert.equal((await call('GET', admin('/dead-letters?topic=movie%00events'))).status, 400);
    assert.equal((await call('GET', admin('/dead-letters?state=lost'))).status, 400);

    const pending = await deadLetters('?state=pending');
    assert.ok(pending.length >= 3 && !pending.some((d) => d.id === cursed.id));
    const all = await call('POST', admin('/dead-letters/replay'));
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.replayed.map((r: { id: number }) => r.id).sort(), pending.map((d) => d.id).sort(), 'each pending one, once');
    assert.deepEqual(await deadLetters('?state=pending').then((p) => p.filter((d) => d.id <= Math.max(...pending.map((x) => x.id)))), []);

    // Still poison: dead-lettered again, as a new dead letter naming the one it was replayed from, attempts counted afresh.
    const again = (d: DeadLetter) => d.headers['replayed-from'] !== undefined;
    await eventually(async () => (await deadLetters()).filter(again).length === pending.length, 30_000, 'replayed poison dead-lettered again');
    const nulAgain = (await deadLetters()).find((d) => again(d) && d.topic === MovieEvent.topic)!;
    const nulFirst = pending.find((d) => d.topic === MovieEvent.topic)!;
    assert.equal(nulAgain.headers['replayed-from'], String(nulFirst.id));
    assert.equal(nulAgain.value, nulFirst.value);
    assert.equal(nulAgain.attempts, MAX_ATTEMPTS);
    assert.ok(nulAgain.offset > nulFirst.offset);
    const second = await call('POST', admin('/dead-letters/replay'));
    assert.ok(
      second.body.replayed.every((r: { id: number }) => !pending.some((d) => d.id === r.id)),
      'the first ones are not replayed twice',
    );
  });
});
