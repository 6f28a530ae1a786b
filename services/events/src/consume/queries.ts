import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '@cinemaabyss/db';
import { processedEvents } from '../schema.ts';

export async function recentEvents(db: Db, topic: string | undefined, limit: number) {
  const query = db
    .select({
      id: processedEvents.eventId,
      type: processedEvents.type,
      topic: processedEvents.topic,
      partition: processedEvents.partition,
      offset: processedEvents.offset,
      key: processedEvents.key,
      timestamp: processedEvents.eventTimestamp,
      processed_at: processedEvents.processedAt,
      payload: processedEvents.payload,
    })
    .from(processedEvents)
    .$dynamic();
  return (topic ? query.where(eq(processedEvents.topic, topic)) : query).orderBy(desc(processedEvents.processedAt), desc(processedEvents.offset)).limit(limit);
}

/** Processed events counted by topic and type. */
export async function processedCounts(db: Db): Promise<Record<string, Record<string, number>>> {
  const rows = await db
    .select({ topic: processedEvents.topic, type: processedEvents.type, n: sql<number>`count(*)::int` })
    .from(processedEvents)
    .groupBy(processedEvents.topic, processedEvents.type);
  const counts: Record<string, Record<string, number>> = {};
  for (const row of rows) (counts[row.topic] ??= {})[row.type] = Number(row.n);
  return counts;
}
