// The monolith's own copy of the movie queries: the movies service started from this code and
// now evolves separately; both serve the same /api/movies contract over the same tables.
import { and, asc, eq, exists, sql, type SQL } from 'drizzle-orm';
import { movieGenres, movies, type Db } from '@cinemaabyss/db';
import { enqueueEvent, outboxRecord } from '@cinemaabyss/outbox';
import { MovieChanged, movieChange, type CreateMovie, type Movie, type MoviePage, type MovieQuery } from '@cinemaabyss/api';

// Genres come back in the same row via a correlated ARRAY subquery: one query for any page size,
// using the (movie_id, genre) primary key index, and computed only for the rows returned.
const genres = sql<string[]>`array(select ${movieGenres.genre} from ${movieGenres} where ${movieGenres.movieId} = ${movies.id} order by 1)`;

const columns = {
  id: movies.id,
  title: movies.title,
  description: movies.description,
  genres,
  rating: movies.rating,
};

/**
 * The list and the count of every match. A page (`limit`) counts with a window over the filtered
 * rows, so one round trip answers both; without `limit` the rows are all the matches from `offset`
 * on, and the window would only add work. Only a page past the end (no row to carry it) counts again.
 */
export async function listMovies(db: Db, query: Omit<MovieQuery, 'id'>): Promise<MoviePage> {
  const filters: SQL[] = [];
  if (query.genre !== undefined) {
    const tagged = db
      .select({ one: sql`1` })
      .from(movieGenres)
      .where(and(eq(movieGenres.movieId, movies.id), eq(sql`lower(${movieGenres.genre})`, query.genre.toLowerCase())));
    filters.push(exists(tagged));
  }
  // strpos, not LIKE: the search text is matched as it is, `%` and `_` included.
  if (query.title !== undefined) filters.push(sql`strpos(lower(${movies.title}), lower(${query.title})) > 0`);
  const where = and(...filters);
  const offset = query.offset ?? 0;

  let select = db
    .select({ ...columns, total: query.limit === undefined ? sql<null>`null` : sql<number>`count(*) over ()`.mapWith(Number) })
    .from(movies)
    .where(where)
    .orderBy(asc(movies.id))
    .$dynamic();
  if (query.limit !== undefined) select = select.limit(query.limit);
  if (query.offset !== undefined) select = select.offset(query.offset);
  const rows = await select;
  // Rows keep their `total`: the list serializer writes only Movie's fields, so no copy is needed.
  if (rows.length > 0) return { movies: rows, total: rows[0]!.total ?? offset + rows.length };
  return { movies: [], total: offset === 0 ? 0 : await db.$count(movies, where) };
}

export async function findMovie(db: Db, id: number): Promise<Movie | undefined> {
  const [row] = await db.select(columns).from(movies).where(eq(movies.id, id));
  return row;
}

/** Creates the movie with its genres and, in the same transaction, its `movie` event in the outbox. */
export async function insertMovie(db: Db, input: CreateMovie): Promise<Movie> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(movies).values({ title: input.title, description: input.description, rating: input.rating }).returning({ id: movies.id });
    const names = input.genres ?? [];
    if (names.length > 0) await tx.insert(movieGenres).values(names.map((genre) => ({ movieId: row!.id, genre })));
    // The answer is the stored row read as GET reads it, genres in the database's order included.
    const movie = (await findMovie(tx, row!.id))!;
    // A new row is version 1 (the column's default); the change is the monolith store's.
    await enqueueEvent(tx, outboxRecord(MovieChanged, movieChange({ ...movie, version: 1 }, 'created', 'monolith'), 'monolith'));
    return movie;
  });
}
