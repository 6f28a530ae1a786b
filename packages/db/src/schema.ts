import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, numeric, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';

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
