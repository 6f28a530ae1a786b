import { sql } from 'drizzle-orm';
import { outboxInSchema } from '@cinemaabyss/outbox';
import { boolean, check, doublePrecision, integer, pgSchema, smallint, text, timestamp, varchar } from 'drizzle-orm/pg-core';

// The movies service's own database (issue #12), in its own Postgres schema so that it can never
// be mistaken for the monolith's tables even when an operator points both at one server.
export const moviesSchema = pgSchema('movies');

/**
 * One row per movie, shaped for the service's reads: the genres travel with the movie (sorted as
 * the monolith's `order by` sorts them), so a page is one index scan with no join. `version` is the
 * monolith's row version: an upsert keeps the newer one.
 */
export const catalogue = moviesSchema.table(
  'movies',
  {
    id: integer('id').primaryKey(),
    title: varchar('title', { length: 255 }).notNull(),
    description: text('description').notNull(),
    genres: varchar('genres', { length: 50 }).array().notNull().default(sql`'{}'`),
    rating: doublePrecision('rating').notNull(),
    version: integer('version').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('movies_rating_range', sql`${t.rating} >= 0 AND ${t.rating} <= 10`)],
);

/** The data-migration procedure: one row, the phase and the backfill's checkpoint. */
export const procedure = moviesSchema.table(
  'procedure',
  {
    id: smallint('id').primaryKey().default(1),
    phase: smallint('phase').notNull().default(0),
    /** Highest monolith id copied so far (the checkpoint: a restarted copier goes on after it). */
    backfillCursor: integer('backfill_cursor').notNull().default(0),
    /** The monolith's highest id when the backfill started: later rows arrive by change capture. */
    backfillTarget: integer('backfill_target'),
    backfillCopied: integer('backfill_copied').notNull().default(0),
    backfillDone: boolean('backfill_done').notNull().default(false),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('procedure_one_row', sql`${t.id} = 1`), check('procedure_phase_range', sql`${t.phase} between 0 and 6`)],
);

/**
 * The service's own outbox (phase 5 on): its movie changes, written with the row, published to
 * `movie-events` by a relay of its own so that the monolith's copy follows.
 */
export const ownOutbox = outboxInSchema('movies');
/** The own outbox relay's leader lock (each outbox has its own). */
export const OWN_OUTBOX_LOCK = 727_274_010;

/**
 * Ids once the monolith is retired (phase 6). Until then every id comes from the monolith's own
 * sequence, whoever writes, so the two stores can never give one id twice (docs/adr).
 */
export const ownIds = moviesSchema.sequence('movie_id_seq');
