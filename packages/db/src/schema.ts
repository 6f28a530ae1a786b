import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  jsonb,
  uuid,
  doublePrecision,
  index,
  integer,
  numeric,
  pgSchema,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

// The tables of the monolith's database. In this phase of the extraction the movies service reads
// and writes the same movies tables; each service keeps its own queries.

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    username: varchar('username', { length: 100 }).notNull(),
    email: varchar('email', { length: 255 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Case-insensitive: "Alice" and "alice" are one account for a human.
    uniqueIndex('users_username_key').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
  ],
);

/** The NOTIFY channel announcing any change to `movies` or `movie_genres` (triggers: migrations/0003_catalogue_changes.sql). */
export const MOVIES_CHANGED_CHANNEL = 'movies_changed';

export const movies = pgTable(
  'movies',
  {
    id: serial('id').primaryKey(),
    title: varchar('title', { length: 255 }).notNull(),
    description: text('description').notNull().default(''),
    rating: doublePrecision('rating').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Bumped by every change: a copy of the row (the movies service's store) keeps the newest. */
    version: integer('version').notNull().default(1),
  },
  (t) => [check('movies_rating_range', sql`${t.rating} >= 0 AND ${t.rating} <= 10`)],
);

export const movieGenres = pgTable(
  'movie_genres',
  {
    movieId: integer('movie_id')
      .notNull()
      .references(() => movies.id, { onDelete: 'cascade' }),
    genre: varchar('genre', { length: 50 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.movieId, t.genre] }), index('movie_genres_genre_idx').on(sql`lower(${t.genre})`)],
);

export const payments = pgTable(
  'payments',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    amount: numeric('amount', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('payments_user_id_idx').on(t.userId), check('payments_amount_positive', sql`${t.amount} > 0`)],
);

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    planType: varchar('plan_type', { length: 50 }).notNull(),
    startDate: timestamp('start_date', { withTimezone: true }).notNull(),
    endDate: timestamp('end_date', { withTimezone: true }).notNull(),
  },
  (t) => [index('subscriptions_user_id_idx').on(t.userId), check('subscriptions_dates_ordered', sql`${t.endDate} >= ${t.startDate}`)],
);

/**
 * Transactional outbox: a domain event is written in the same transaction as the row it describes,
 * and the relay publishes it to the event bus afterwards. A rolled-back write leaves no event.
 */
/** The outbox's columns, for every owner of an outbox (the monolith's, the gateway's in its own schema). */
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
