// The backfill's copier when several replicas run it at once (issue #12): a batch lands only on
// the checkpoint it started from, so copiers take turns and no row is counted twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { copyBatch, readCheckpoint, runBackfill } from '../../services/movies/src/data/backfill.ts';
import { advance, insertMovies, queryOne, startDataStack, status, type DataStack } from './support.ts';

const MOVIES = 1500;

describe('data migration: copiers on several replicas', () => {
  let stack: DataStack;
  before(async () => {
    // The service's own copier crawls (one row a second): the copiers under test do the work.
    stack = await startDataStack({ MOVIES_BACKFILL_BATCH: 1, MOVIES_BACKFILL_MAX_ROWS_PER_SECOND: 1 });
    await insertMovies(stack.legacy.database, MOVIES);
    await advance(stack, 1);
    await advance(stack, 2);
  });
  after(() => stack?.close());

  test('a batch started from a checkpoint that has moved writes nothing', async () => {
    const legacy = stack.legacy.database.db;
    const own = stack.own.database.db;
    const from = await readCheckpoint(legacy, own);
    assert.ok(from, 'phase 2: there is a copy to make');
    const first = await copyBatch(legacy, own, from, 10);
    assert.equal(first.rows, 10);
    // Landed (or the service's copier moved the checkpoint first): either way it is not `from` now.
    const second = await copyBatch(legacy, own, from, 10);
    assert.equal(second.next, undefined, 'the same checkpoint does not land twice');
    const state = (await status(stack)).backfill;
    const { count } = await queryOne<{ count: number }>(stack.own.database, sql`select count(*)::int as count from movies.movies`);
    assert.equal(state.copied, count, 'the checkpoint counts each copied row once');
  });

  test('copiers running at once copy every row once', async () => {
    const options = { batch: 50, maxRowsPerSecond: 1_000_000, maxBusyPercent: 100, slowdownRatio: 1000 };
    let landed = 0;
    const copier = () =>
      runBackfill(
        stack.legacy.database.db,
        stack.own.database.db,
        options,
        () => true,
        (rows) => (landed += rows),
      );
    await Promise.all([copier(), copier(), copier()]);
    const state = (await status(stack)).backfill;
    assert.equal(state.done, true);
    const { count, max } = await queryOne<{ count: number; max: number }>(
      stack.own.database,
      sql`select count(*)::int as count, max(id) as max from movies.movies`,
    );
    const total = await queryOne<{ count: number }>(stack.legacy.database, sql`select count(*)::int as count from movies`);
    assert.ok(total.count >= MOVIES);
    assert.equal(count, total.count);
    assert.equal(state.copied, total.count, 'every row counted once');
    assert.equal(state.cursor, max);
    assert.ok(landed > 0 && landed <= total.count, `the copiers under test landed ${landed} rows, the service the rest`);
  });
});
