// The outbox's rows as the relay, the metrics and the operator see them.
import { and, asc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@cinemaabyss/db';
import { outbox as monolithOutbox, type OutboxRow, type OutboxTable } from './schema.ts';

export type OutboxState = 'pending' | 'blocked' | 'parked';

// A row's state, for the relay, the metrics and the operator: published rows are none of these.
const statesCache = new WeakMap<OutboxTable, Record<OutboxState, SQL>>();
export function outboxStatesOf(table: OutboxTable): Record<OutboxState, SQL> {
  let states = statesCache.get(table);
  if (!states) {
    const pending = and(isNull(table.publishedAt), isNull(table.parkedAt))!;
    const blocked = and(pending, isNotNull(table.blockedAt))!;
    const parked = and(isNull(table.publishedAt), isNotNull(table.parkedAt))!;
    states = { pending, blocked, parked };
    statesCache.set(table, states);
  }
  return states;
}
export const outboxStates = outboxStatesOf(monolithOutbox);

export interface OutboxStatus {
  /** Unpublished rows the relay will publish (blocked ones included), parked ones excluded. */
  pending: number;
  /** Pending rows the bus refused for good: each holds back the later rows of its key. */
  blocked: number;
  parked: number;
  /** Age of the oldest pending row by the database's clock; 0 when nothing is pending. */
  oldestPendingSeconds: number;
}

/** One statement, each part on its partial index: cheap enough for every scrape and readiness probe. */
export async function outboxStatus(db: Db, table: OutboxTable = monolithOutbox): Promise<OutboxStatus> {
  const { pending, blocked, parked } = outboxStatesOf(table);
  const count = (where: SQL) => sql<number>`(select count(*)::int from ${table} where ${where})`;
  // Ids follow insertion, so the lowest pending id is the oldest row without scanning created_at.
  const oldest = sql<number>`coalesce((select extract(epoch from now() - ${table.createdAt})::float8 from ${table} where ${pending} order by ${table.id} limit 1), 0)`;
  const [row] = await db
    .select({ pending: count(pending), blocked: count(blocked), parked: count(parked), oldestPendingSeconds: oldest })
    .from(sql`(select 1) as once`);
  return row!;
}

/** Unpublished rows in `state`, oldest first. */
export function listOutbox(db: Db, state: OutboxState, limit = 100, table: OutboxTable = monolithOutbox): Promise<OutboxRow[]> {
  return db.select().from(table).where(outboxStatesOf(table)[state]).orderBy(asc(table.id)).limit(limit);
}

export type ParkResult = { ok: true; row: OutboxRow } | { ok: false; reason: string };

/** Why a row could not change state, for the operator. */
async function whyNot(db: Db, id: number, wanted: string, table: OutboxTable): Promise<ParkResult> {
  const [row] = await db.select().from(table).where(eq(table.id, id));
  if (!row) return { ok: false, reason: `no outbox row ${id}` };
  if (row.publishedAt) return { ok: false, reason: `outbox row ${id} was published at ${row.publishedAt.toISOString()}` };
  return { ok: false, reason: `outbox row ${id} is ${row.parkedAt ? 'already parked' : 'not parked'}; cannot ${wanted} it` };
}

/**
 * Takes an unpublished row out of the relay's way: it is kept and listed, never published by
 * itself, and the later rows of its key go out without it.
 */
export async function parkOutboxRow(db: Db, id: number, reason: string, table: OutboxTable = monolithOutbox): Promise<ParkResult> {
  const [row] = await db
    .update(table)
    .set({ parkedAt: sql`now()`, parkedReason: reason })
    .where(and(eq(table.id, id), outboxStatesOf(table).pending))
    .returning();
  return row ? { ok: true, row } : whyNot(db, id, 'park', table);
}

/**
 * Puts a parked row back in the queue (after a fix): the relay publishes it next for its key,
 * after the rows of that key that went out while it was parked; consumers dedupe by event id.
 */
export async function unparkOutboxRow(db: Db, id: number, table: OutboxTable = monolithOutbox): Promise<ParkResult> {
  const [row] = await db
    .update(table)
    .set({ parkedAt: null, parkedReason: null, blockedAt: null })
    .where(and(eq(table.id, id), outboxStatesOf(table).parked))
    .returning();
  return row ? { ok: true, row } : whyNot(db, id, 'unpark', table);
}
