import { and, asc, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '@cinemaabyss/db';
import type { EventBus, SendResult } from '@cinemaabyss/event-bus';
import { deadLetters } from '../schema.ts';

export type DeadLetterState = 'pending' | 'replayed';
type Row = typeof deadLetters.$inferSelect;
interface StoredRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** A dead letter as the admin API shows it: the original record, where it failed, why, and its replay state. */
function present(row: Row) {
  const record = JSON.parse(row.record) as StoredRecord;
  return {
    id: row.id,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    key: record.key,
    value: record.value,
    headers: record.headers,
    error: row.error,
    attempts: row.attempts,
    failed_at: row.failedAt,
    dead_letter: { topic: row.dlqTopic, partition: row.dlqPartition, offset: row.dlqOffset },
    replayed_at: row.replayedAt,
  };
}

const stateIs = (state: DeadLetterState | undefined) =>
  state === 'pending' ? isNull(deadLetters.replayedAt) : state === 'replayed' ? isNotNull(deadLetters.replayedAt) : undefined;

export async function listDeadLetters(db: Db, filter: { topic?: string | undefined; state?: DeadLetterState | undefined; limit: number }) {
  const rows = await db
    .select()
    .from(deadLetters)
    .where(and(filter.topic ? eq(deadLetters.topic, filter.topic) : undefined, stateIs(filter.state)))
    .orderBy(asc(deadLetters.id))
    .limit(filter.limit);
  return rows.map(present);
}

export async function countDeadLetters(db: Db): Promise<Record<DeadLetterState, number>> {
  const [row] = await db.select({ total: count(), replayed: count(deadLetters.replayedAt) }).from(deadLetters);
  return { pending: (row?.total ?? 0) - (row?.replayed ?? 0), replayed: row?.replayed ?? 0 };
}

/**
 * Re-sends a dead letter's original record to its original topic (with a `replayed-from` header
 * naming the dead letter) and marks it replayed. It is marked first, so a concurrent replay-all
 * does not send it too; a failed send unmarks it. `onlyPending` makes a replayed one a no-op
 * (replay-all); undefined when there is nothing to replay.
 */
export async function replayDeadLetter(db: Db, bus: EventBus, id: number, onlyPending: boolean): Promise<(SendResult & { id: number }) | undefined> {
  const previous = await db.select({ replayedAt: deadLetters.replayedAt }).from(deadLetters).where(eq(deadLetters.id, id));
  const [claimed] = await db
    .update(deadLetters)
    .set({ replayedAt: sql`now()` })
    .where(and(eq(deadLetters.id, id), onlyPending ? isNull(deadLetters.replayedAt) : undefined))
    .returning();
  if (!claimed) return undefined;
  const record = JSON.parse(claimed.record) as StoredRecord;
  try {
    const sent = await bus.send({ topic: claimed.topic, key: record.key, value: record.value, headers: { ...record.headers, 'replayed-from': String(id) } });
    return { id, ...sent };
  } catch (error) {
    await db
      .update(deadLetters)
      .set({ replayedAt: previous[0]?.replayedAt ?? null })
      .where(eq(deadLetters.id, id))
      .catch(() => {});
    throw error;
  }
}

/** Replays every pending dead letter (optionally of one topic), oldest first; stops at the first failed send. */
export async function replayAll(db: Db, bus: EventBus, topic: string | undefined) {
  const pending = await db
    .select({ id: deadLetters.id })
    .from(deadLetters)
    .where(and(isNull(deadLetters.replayedAt), topic ? eq(deadLetters.topic, topic) : undefined))
    .orderBy(asc(deadLetters.id));
  const replayed = [];
  for (const { id } of pending) {
    const result = await replayDeadLetter(db, bus, id, true);
    if (result) replayed.push(result);
  }
  return replayed;
}
