// The outbox table's definition, for every owner of an outbox. It imports nothing but Drizzle, so
// drizzle-kit can read it next to the schema of the database that owns the table: the monolith's
// migrations (packages/db/drizzle.config.ts), the gateway's and the movies service's.
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgSchema, pgTable, text, timestamp, uuid, varchar, type AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * Transactional outbox: a domain event is written in the same transaction as the row it describes,
 * and the relay publishes it to the event bus afterwards. A rolled-back write leaves no event.
 * These are its columns, for every owner of an outbox (the monolith's; the gateway's and the movies
 * service's, each in its own schema).
 */
export const outboxColumns = () => ({
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  eventId: uuid('event_id').notNull().unique(),
  topic: varchar('topic', { length: 100 }).notNull(),
  key: varchar('key', { length: 200 }).notNull(),
  type: varchar('type', { length: 100 }).notNull(),
  /** The service that wrote the event (the envelope's `source`). */
  source: varchar('source', { length: 50 }).notNull(),
  payload: jsonb('payload').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  /** Failed publish attempts of any kind; `last_error` is the latest one's message. */
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  /** Set when the bus has refused the row for good OUTBOX_MAX_ATTEMPTS times: it blocks its key. */
  blockedAt: timestamp('blocked_at', { withTimezone: true }),
  /** Set by an operator (`outbox park`): kept, never published automatically, no longer blocks its key. */
  parkedAt: timestamp('parked_at', { withTimezone: true }),
  parkedReason: text('parked_reason'),
  /** W3C trace context (`traceparent`, `tracestate`) of the write, when traced: the relay's publish continues that trace. */
  traceContext: jsonb('trace_context').$type<Record<string, string>>(),
});

/** What the relay reads, in id order: unpublished and not parked; and the parked ones for the operator. */
export const outboxIndexes = (t: { id: AnyPgColumn; publishedAt: AnyPgColumn; parkedAt: AnyPgColumn }) => [
  index('outbox_pending_idx').on(t.id).where(sql`${t.publishedAt} is null and ${t.parkedAt} is null`),
  index('outbox_parked_idx').on(t.id).where(sql`${t.parkedAt} is not null and ${t.publishedAt} is null`),
];

export const outbox = pgTable('outbox', outboxColumns(), outboxIndexes);

/** The same outbox in another Postgres schema (e.g. the gateway's `gateway.outbox`), for the relay and the CLI. */
export const outboxInSchema = (schema: string): typeof outbox => pgSchema(schema).table('outbox', outboxColumns(), outboxIndexes) as unknown as typeof outbox;

/**
 * An outbox table: the monolith's (the default everywhere) or another owner's with the same
 * columns (the gateway's `gateway.outbox`, the movies service's `movies.outbox`), so the relay,
 * the metrics and the CLI serve them all.
 */
export type OutboxTable = typeof outbox;
export type OutboxRow = typeof outbox.$inferSelect;
