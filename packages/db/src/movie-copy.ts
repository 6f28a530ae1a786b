import { RETIRED_SQLSTATE } from './errors.ts';
import { and, asc, gte, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { perHandle, type Db } from './client.ts';
import { movieGenres, movies } from './schema.ts';

/** A movie row with its version, as the data migration copies it between the two stores. */
export interface VersionedMovie {
  id: number;
  title: string;
  description: string;
  genres: string[];
  rating: number;
  version: number;
}

// Genres as the API answers them: sorted by the database, in the same row.
export const movieGenresArray = sql<string[]>`array(select ${movieGenres.genre} from ${movieGenres} where ${movieGenres.movieId} = ${movies.id} order by 1)`;

const versioned = {
  id: movies.id,
  title: movies.title,
  description: movies.description,
  genres: movieGenresArray,
  rating: movies.rating,
  version: movies.version,
};

/** One batch of the backfill as JSON text (VersionedMovie[]), with its size and last id. */
export interface MovieBatchJson {
  json: string;
  rows: number;
  lastId: number | null;
}

/**
 * The monolith's movies after `afterId`, in id order: one batch of the backfill, as the JSON text
 * PostgreSQL writes, which the copier hands to the own store's upsert unparsed. A prepared
 * statement (built and planned once per handle): at ~100 batches a second, building and planning
 * each batch's query cost more than its rows (bench/README.md, "Data migration").
 */
export async function readMoviesAfterAsJson(db: Db, afterId: number, limit: number): Promise<MovieBatchJson> {
  const [batch] = await batchRead(db).execute({ after: afterId, limit });
  return batch!;
}

const batchRead = perHandle((db) => {
  const page = db
    .select({ ...versioned, genres: movieGenresArray.as('genres') })
    .from(movies)
    .where(gt(movies.id, sql.placeholder('after')))
    .orderBy(asc(movies.id))
    .limit(sql.placeholder('limit'))
    .as('page');
  return db
    .select({
      // Each element an object of `versioned`'s fields, the shape upsertOwn's json_to_recordset reads.
      json: sql<string>`coalesce(json_agg(${sql.identifier('page')} order by ${page.id}), '[]')::text`,
      rows: sql<number>`count(*)::int`,
      lastId: sql<number | null>`max(${page.id})`,
    })
    .from(page)
    .prepare('movies_backfill_read');
});

export function readMoviesById(db: Db, ids: number[]): Promise<VersionedMovie[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select(versioned).from(movies).where(inArray(movies.id, ids)).orderBy(asc(movies.id));
}

/**
 * The conflict clause of every copy of a movie, in either store: the given columns (and the
 * version) taken from the copy when its version is newer than the stored one, or whatever the
 * stored version when `force`d (the reconciler's repair).
 */
export function newerVersionWins(table: { id: AnyPgColumn; version: AnyPgColumn }, columns: string[], force: boolean, extra: Record<string, SQL> = {}) {
  return {
    target: table.id,
    set: { ...Object.fromEntries([...columns, 'version'].map((column) => [column, sql.raw(`excluded.${column}`)])), ...extra },
    ...(force ? {} : { setWhere: sql`${table.version} < excluded.version` }),
  };
}

/**
 * Applies other store's movie changes to the monolith's tables: a row is written only if it is new
 * or its version is newer than the stored one (`force` writes it whatever, for the reconciler's
 * repair), with its genres replaced. One transaction; returns the ids written.
 */
export async function applyMoviesToMonolith(db: Db, rows: VersionedMovie[], force = false): Promise<number[]> {
  const newest = newestPerId(rows);
  if (newest.length === 0) return [];
  return db.transaction(async (tx) => {
    const written = await tx
      .insert(movies)
      .values(newest.map(({ genres: _genres, ...row }) => row))
      .onConflictDoUpdate(newerVersionWins(movies, ['title', 'description', 'rating'], force))
      .returning({ id: movies.id });
    const ids = new Set(written.map((row) => row.id));
    if (ids.size === 0) return [];
    await tx.delete(movieGenres).where(inArray(movieGenres.movieId, [...ids]));
    const genres = newest.filter((row) => ids.has(row.id)).flatMap((row) => row.genres.map((genre) => ({ movieId: row.id, genre })));
    if (genres.length > 0) await tx.insert(movieGenres).values(genres);
    return [...ids];
  });
}

/** Keeps the newest version of each id (one statement may not update a row twice). */
export function newestPerId(rows: VersionedMovie[]): VersionedMovie[] {
  const newest = new Map<number, VersionedMovie>();
  for (const row of rows) if ((newest.get(row.id)?.version ?? 0) < row.version) newest.set(row.id, row);
  return [...newest.values()];
}

export type MovieColumns = { [K in keyof VersionedMovie]: AnyPgColumn | SQL };

/**
 * A row's fingerprint, computed the same way in both stores: a 64-bit hash of its values as JSON.
 * Summed per id range, it compares whole ranges with one aggregate per store.
 */
export const movieFingerprint = (c: MovieColumns) =>
  sql`hashtextextended(json_build_array(${c.id}, ${c.title}, ${c.description}, ${c.genres}, ${c.rating}, ${c.version})::text, 0)`;

export interface RangeSum {
  bucket: number;
  rows: number;
  sum: string;
}

/** Count and fingerprint sum of every id range (`id / size`) of a table. */
export function rangeSums(db: Db, table: PgTable, c: MovieColumns, size: number): Promise<RangeSum[]> {
  const bucket = sql<number>`(${c.id} / ${size})::int`;
  return db
    .select({ bucket, rows: sql<number>`count(*)::int`, sum: sql<string>`sum(${movieFingerprint(c)}::numeric)::text` })
    .from(table)
    .groupBy(sql`1`);
}

/** Each row's fingerprint within the id range of `bucket`. */
export function rangeFingerprints(db: Db, table: PgTable, c: MovieColumns, size: number, bucket: number): Promise<{ id: number; hash: string }[]> {
  return db
    .select({ id: sql<number>`${c.id}`, hash: sql<string>`${movieFingerprint(c)}::text` })
    .from(table)
    .where(and(gte(c.id as AnyPgColumn, bucket * size), lt(c.id as AnyPgColumn, (bucket + 1) * size)));
}

export const monolithMovieColumns: MovieColumns = versioned;

/**
 * The next movie id from the monolith's own sequence. During the data migration's phase 5 the
 * movies service takes its ids here too, so one sequence gives every id until the monolith retires.
 */
export async function nextMonolithMovieId(db: Db): Promise<number> {
  const [row] = await db.select({ id: sql<number>`nextval(pg_get_serial_sequence('movies', 'id'))::int` }).from(sql`(select 1) as once`);
  return row!.id;
}

/** The monolith sequence's last id given (for the hand-over of id allocation at retirement). */
export async function lastMonolithMovieId(db: Db): Promise<number> {
  const [row] = await db
    .select({ id: sql<number>`greatest((select last_value from movies_id_seq), (select coalesce(max(id), 0) from movies))::int` })
    .from(sql`(select 1) as once`);
  return row!.id;
}

// Writes to the monolith's movie tables after retirement fail with this SQLSTATE (object not in
// prerequisite state) and message; the tables stay readable until an operator drops them.
const RETIRED_TRIGGER = 'movies_retired';

/** Freezes the monolith's movie tables (phase 6): any write is refused by a trigger. */
export async function retireMonolithMovies(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`create or replace function movies_retired() returns trigger language plpgsql as $$
      begin raise exception 'the monolith''s movie tables are retired: the movies service owns the movies' using errcode = '${sql.raw(RETIRED_SQLSTATE)}'; end $$`);
    for (const table of ['movies', 'movie_genres']) {
      await tx.execute(sql.raw(`drop trigger if exists ${RETIRED_TRIGGER} on ${table}`));
      await tx.execute(
        sql.raw(`create trigger ${RETIRED_TRIGGER} before insert or update or delete on ${table} for each statement execute function movies_retired()`),
      );
    }
  });
}

/** Whether `retireMonolithMovies` has run: the monolith's applier then has nothing to keep up to date. */
export async function monolithMoviesRetired(db: Db): Promise<boolean> {
  const [row] = await db
    .select({ retired: sql<boolean>`exists (select 1 from pg_trigger where tgname = ${RETIRED_TRIGGER} and tgrelid = 'movies'::regclass)` })
    .from(sql`(select 1) as once`);
  return row!.retired;
}
