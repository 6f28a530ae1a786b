import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, varchar } from 'drizzle-orm/pg-core';

// The embedded bus keeps Kafka's model in three tables: partitioned, offset-addressed logs and
// committed offsets per consumer group. Used by `npm start`; distributed deployments use Kafka.

export const busPartitions = pgTable(
  'bus_partitions',
  {
    topic: varchar('topic', { length: 100 }).notNull(),
    partition: integer('partition').notNull(),
    /** The offset the next message on this partition gets; the row lock serialises writers. */
    nextOffset: bigint('next_offset', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.topic, t.partition] })],
);

export const busMessages = pgTable(
  'bus_messages',
  {
    topic: varchar('topic', { length: 100 }).notNull(),
    partition: integer('partition').notNull(),
    offset: bigint('offset', { mode: 'number' }).notNull(),
    key: varchar('key', { length: 200 }).notNull(),
    value: text('value').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.topic, t.partition, t.offset] }), index('bus_messages_created_idx').on(t.createdAt)],
);

export const busGroupOffsets = pgTable(
  'bus_group_offsets',
  {
    groupId: varchar('group_id', { length: 200 }).notNull(),
    topic: varchar('topic', { length: 100 }).notNull(),
    partition: integer('partition').notNull(),
    /** The next offset the group will read, as in Kafka. */
    committedOffset: bigint('committed_offset', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.topic, t.partition] })],
);
