import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { movies, readMoviesAfter, type Db } from '@cinemaabyss/db';
import { upsertOwn } from '../store/queries.ts';
import { procedure } from '../store/schema.ts';
import { backfillThrottle } from './throttle.ts';

export interface BackfillOptions {
  batch: number;
  maxRowsPerSecond: number;
  /** Share (1–100) of wall time spent reading the monolith; the copier waits the rest. */
  maxBusyPercent: number;
  /** The throttle backs off when a batch read is this many times slower than its baseline (throttle.ts). */
  slowdownRatio: number;
}

export interface BatchResult {
  rows: number;
  readMs: number;
  done: boolean;
}

/**
 * Copies one batch: the monolith's next movies after the checkpoint, upserted (newer version wins)
 * together with the new checkpoint in one transaction of the own store, so a copier killed at any
 * point resumes after the last batch it committed. The procedure row is locked for the batch:
 * replicas take turns, and a phase change waits for the batch in hand.
 */
export async function copyBatch(legacy: Db, own: Db, size: number): Promise<BatchResult | undefined> {
  return own.transaction(async (tx) => {
    const [state] = await tx.select().from(procedure).for('update');
    if (state?.phase !== 2 || state.backfillDone) return undefined;
    let target = state.backfillTarget;
    if (target === null) {
      // Rows above this id were created after the copy began: change capture brings them.
      const [top] = await legacy.select({ max: sql<number>`coalesce(max(${movies.id}), 0)::int` }).from(movies);
      target = top!.max;
    }
    const started = performance.now();
    const rows = await readMoviesAfter(legacy, state.backfillCursor, size);
    const readMs = performance.now() - started;
    await upsertOwn(tx, rows);
    const cursor = rows.at(-1)?.id ?? state.backfillCursor;
    const done = rows.length < size || cursor >= target;
    await tx
      .update(procedure)
      .set({ backfillCursor: cursor, backfillTarget: target, backfillCopied: state.backfillCopied + rows.length, backfillDone: done })
      .where(eq(procedure.id, 1));
    return { rows: rows.length, readMs, done };
  });
}

/**
 * Runs batches until the backfill is done or `active()` turns false, paced to the throttle's rate
 * (throttle.ts: lower while the monolith's database answers slowly): small batches spread evenly,
 * which the monolith's own reads do not queue behind as they do behind bursts of big ones. And
 * never more than `maxBusyPercent` of the time reading the monolith. `progress` gets each batch's
 * rows and the rate for the next.
 */
export async function runBackfill(
  legacy: Db,
  own: Db,
  options: BackfillOptions,
  active: () => boolean,
  progress: (rows: number, rowsPerSecond: number) => void,
): Promise<void> {
  const throttle = backfillThrottle(options);
  while (active()) {
    const started = performance.now();
    const result = await copyBatch(legacy, own, options.batch);
    if (!result) return;
    const rate = throttle.observe(result.readMs);
    progress(result.rows, rate);
    if (result.done) return;
    const elapsed = performance.now() - started;
    const rest = Math.max((result.rows / rate) * 1000 - elapsed, (result.readMs * (100 - options.maxBusyPercent)) / options.maxBusyPercent);
    if (rest > 0) await sleep(rest);
  }
}
