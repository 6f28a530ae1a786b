// The movies' change capture (issue #12) across a broker restart, on a private broker (BUS_BACKEND
// =kafka only): monolith writes go on while the broker is down (the outbox keeps their changes),
// and once it is back every one of them reaches the movies service's own store, with no help
// from the reconciler (it runs from phase 3 on; this stays in phase 2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { busBackend } from '../support/bus.ts';
import { eventually } from '../support/events-stack.ts';
import { startPrivateBroker, type PrivateBroker } from '../support/private-broker.ts';
import { advance, insertMovies, queryOne, startDataStack, status, writer, type DataStack } from '../data/support.ts';

if (busBackend() !== 'kafka') throw new Error('the fault suite needs BUS_BACKEND=kafka (npm run test:kafka)');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let broker: PrivateBroker | undefined;
let stack: DataStack | undefined;
before(async () => {
  broker = await startPrivateBroker('data-capture');
  stack = await startDataStack();
  await insertMovies(stack.legacy.database, 2000);
});
after(async () => {
  await stack?.close();
  broker?.remove();
});

describe('change capture across a broker restart', () => {
  test('every monolith write made before, during and after the outage is copied once', { timeout: 240_000 }, async () => {
    const s = stack!;
    await advance(s, 1);
    await advance(s, 2);
    await eventually(async () => (await status(s)).capture.running, 60_000, 'capture consuming');
    const writes = writer(s.monolith);
    await sleep(1000);
    broker!.stop();
    await sleep(3000); // the monolith still takes writes: their changes wait in the outbox
    broker!.start();
    await sleep(2000);
    const ids = await writes.stop();
    assert.equal(new Set(ids).size, ids.length);
    await eventually(async () => (await status(s)).backfill.done, 90_000, 'backfill done');
    const count = (database: DataStack['own'], table: string) => queryOne<{ n: number }>(database.database, sql.raw(`select count(*)::int as n from ${table}`));
    const total = (await count(s.legacy, 'movies')).n;
    await eventually(async () => (await count(s.own, 'movies.movies')).n === total, 120_000, 'every change captured');
    const missing = await queryOne<{ n: number }>(
      s.own.database,
      sql`select count(*)::int as n from movies.movies where id = any(${`{${ids.join(',')}}`}::int[]) `,
    );
    assert.equal(missing.n, ids.length, 'every write made around the outage is in the own store');
    assert.equal((await status(s)).phase, 2, 'no reconciler ran');
  });
});
