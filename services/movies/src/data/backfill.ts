import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, sql } from 'drizzle-orm';
import { movies, perHandle, readMoviesAfterAsJson, type Db } from '@cinemaabyss/db';
import { upsertOwnJson } from '../store/queries.ts';
import { catalogue, procedure } from '../store/schema.ts';
import { backfillThrottle } from './throttle.ts';

/** How long a replica whose batch did not land waits before it looks at the checkpoint again. */
const LOOK_AGAIN_MS = 1000;

export interface BackfillOptions {
  batch: number;
  maxRowsPerSecond: number;
  /** Share (1–100) of wall time spent reading the monolith; the copier waits the rest. */
  maxBusyPercent: number;
  /** The throttle backs off when a batch read is this many times slower than its baseline (throttle.ts). */
  slowdownRatio: number;
}

/** Where the copy stands: the last id copied, the id it ends at, the rows copied so far. */
export interface Checkpoint {
  cursor: number;
  target: number;
  copied: number;
}

export interface BatchResult {
  rows: number;
  readMs: number;
  done: boolean;
  /** The checkpoint after this batch; undefined when the batch did not land (see copyBatch). */
  next: Checkpoint | undefined;
}

/** The copy's checkpoint; undefined when there is nothing to copy (not phase 2, or done). */
export async function readCheckpoint(legacy: Db, own: Db): Promise<Checkpoint | undefined> {
  const [state] = await own.select().from(procedure).where(eq(procedure.id, 1));
  if (state?.phase !== 2 || state.backfillDone) return undefined;
  let target = state.backfillTarget;
  if (target === null) {
    // Rows above this id were created after the copy began: change capture brings them.
    const [top] = await legacy.select({ max: sql<number>`coalesce(max(${movies.id}), 0)::int` }).from(movies);
    target = top!.max;
  }
  return { cursor: state.backfillCursor, target, copied: state.backfillCopied };
}

/**
 * Copies one batch: the monolith's next movies after `from`, then one statement on the own store
 * that upserts them (newer version wins) and moves the checkpoint, only if the checkpoint is still
 * `from` in phase 2 (it locks the procedure row, so a phase change waits for it). A copier killed
 * at any point resumes after the last batch that landed. Two round trips a batch, not the six of a
 * transaction around a locked read: at ~100 batches a second the round trips were a third of the
 * copier's CPU (bench/README.md). A batch that finds the checkpoint moved (another replica's batch,
 * or a phase change) writes nothing and says so with `next: undefined`.
 */
export async function copyBatch(legacy: Db, own: Db, from: Checkpoint, size: number): Promise<BatchResult> {
  const started = performance.now();
  const batch = await readMoviesAfterAsJson(legacy, from.cursor, size);
  const readMs = performance.now() - started;
  const next = { cursor: batch.lastId ?? from.cursor, target: from.target, copied: from.copied + batch.rows };
  const done = batch.rows < size || next.cursor >= next.target;
  const landed = await batchWrite(own).execute({ json: batch.json, from: from.cursor, ...next, done });
  return { rows: batch.rows, readMs, done, next: landed.length > 0 ? next : undefined };
}

/** copyBatch's statement on the own store, prepared once per handle (built and planned once). */
const batchWrite = perHandle((own) => {
  const state = own.$with('state').as(
    own
      .select({ id: procedure.id })
      .from(procedure)
      .where(and(eq(procedure.id, 1), eq(procedure.phase, 2), eq(procedure.backfillDone, false), eq(procedure.backfillCursor, sql.placeholder('from'))))
      .for('update'),
  );
  const copied = own
    .$with('copied')
    .as(upsertOwnJson(own, sql.placeholder('json'), false, sql`exists (select 1 from ${state})`).returning({ id: catalogue.id }));
  return own
    .with(state, copied)
    .update(procedure)
    .set({
      backfillCursor: sql`${sql.placeholder('cursor')}`,
      backfillTarget: sql`${sql.placeholder('target')}`,
      backfillCopied: sql`${sql.placeholder('copied')}`,
      backfillDone: sql`${sql.placeholder('done')}`,
    })
    .where(sql`${procedure.id} in (select ${state.id} from ${state})`)
    .returning({ id: procedure.id })
    .prepare('movies_backfill_batch');
});

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
  let at = await readCheckpoint(legacy, own);
  // When the next batch is due: a schedule, not one wait per batch. Waits of a few ms each on a
  // millisecond timer added up to a rate ~4 % above the cap in bench:data; a schedule makes up
  // for a timer that fires early or late.
  let due = performance.now();
  while (at && active()) {
    const result = await copyBatch(legacy, own, at, options.batch);
    const rate = throttle.observe(result.readMs);
    if (!result.next) {
      // Another replica's batch landed first (it goes on copying), or the phase changed.
      await sleep(LOOK_AGAIN_MS);
      at = await readCheckpoint(legacy, own);
      continue;
    }
    progress(result.rows, rate);
    if (result.done) return;
    at = result.next;
    const now = performance.now();
    const busyRest = (result.readMs * (100 - options.maxBusyPercent)) / options.maxBusyPercent;
    // A batch that ran late is not made up for by a burst: the schedule never lags behind now.
    due = Math.max(due + (result.rows / rate) * 1000, now + busyRest);
    if (due > now) await sleep(due - now);
  }
}
