import { bigint, index, integer, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

/**
 * Every event the consumer group has processed, by event id: the primary key is what makes a
 * redelivered event count once, and the table is the read model behind /recent and /stats.
 */
export const processedEvents = pgTable(
  'processed_events',
  {
    eventId: uuid('event_id').primaryKey(),
    type: varchar('type', { length: 100 }).notNull(),
    topic: varchar('topic', { length: 100 }).notNull(),
    partition: integer('partition').notNull(),
    offset: bigint('offset', { mode: 'number' }).notNull(),
    key: varchar('key', { length: 200 }).notNull(),
    source: varchar('source', { length: 50 }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    eventTimestamp: timestamp('event_timestamp', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('processed_events_topic_time_idx').on(t.topic, t.processedAt)],
);
