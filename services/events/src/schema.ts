import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

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

/**
 * Dead letters as the consumer read them from the `<topic>.dlq` topics: the list and replay state
 * behind /admin/dead-letters. One row per dead-letter record (its place on the `.dlq` topic is the
 * key, so a redelivery stores nothing twice). The original record is kept as JSON text, not jsonb:
 * jsonb refuses `\u0000`, and a poison record must be kept exactly.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dlqTopic: text('dlq_topic').notNull(),
    dlqPartition: integer('dlq_partition').notNull(),
    dlqOffset: bigint('dlq_offset', { mode: 'number' }).notNull(),
    topic: text('topic').notNull(),
    partition: integer('partition'),
    offset: bigint('offset', { mode: 'number' }),
    /** `{"key", "value", "headers"}` of the original record, JSON-encoded. */
    record: text('record').notNull(),
    error: text('error').notNull(),
    attempts: integer('attempts').notNull(),
    failedAt: timestamp('failed_at', { withTimezone: true }).notNull(),
    storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when an operator re-sent the record to its topic: replay-all skips it from then on. */
    replayedAt: timestamp('replayed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('dead_letters_dlq_position_idx').on(t.dlqTopic, t.dlqPartition, t.dlqOffset)],
);
