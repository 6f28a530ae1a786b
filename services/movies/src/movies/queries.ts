import { and, asc, eq, exists, sql } from 'drizzle-orm';
import { enqueueEvent, movieGenres, movies, type Db } from '@cinemaabyss/db';
import { TOPICS } from '@cinemaabyss/event-bus';
import { MOVIE_EVENT_TYPE, movieChange, type CreateMovie, type Movie, type MovieQuery } from '@cinemaabyss/api';

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

export async function listMovies(db: Db, query: Omit<MovieQuery, 'id'>): Promise<Movie[]> {
  let select = db.select(columns).from(movies).$dynamic();
  if (query.genre !== undefined) {
    const tagged = db
      .select({ one: sql`1` })
      .from(movieGenres)
      .where(and(eq(movieGenres.movieId, movies.id), eq(sql`lower(${movieGenres.genre})`, query.genre.toLowerCase())));
    select = select.where(exists(tagged));
  }
  select = select.orderBy(asc(movies.id));
  if (query.limit !== undefined) select = select.limit(query.limit);
  if (query.offset !== undefined) select = select.offset(query.offset);
  return select;
}

export async function findMovie(db: Db, id: number): Promise<Movie | undefined> {
  const [row] = await db.select(columns).from(movies).where(eq(movies.id, id));
  return row;
}

/** Creates the movie with its genres and, in the same transaction, its `movie` event in the outbox. */
export async function insertMovie(db: Db, input: CreateMovie): Promise<Movie> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(movies)
      .values({ title: input.title, description: input.description, rating: input.rating })
      .returning({ id: movies.id });
    const names = input.genres ?? [];
    if (names.length > 0) await tx.insert(movieGenres).values(names.map((genre) => ({ movieId: row!.id, genre })));
    // The answer is the stored row read as GET reads it, genres in the database's order included.
    const movie = (await findMovie(tx, row!.id))!;
    await enqueueEvent(tx, {
      topic: TOPICS.movie,
      key: String(movie.id),
      type: MOVIE_EVENT_TYPE,
      source: 'movies',
      // A new row is version 1 (the column's default); the change is the monolith store's.
      payload: movieChange({ ...movie, version: 1 }, 'created', 'monolith'),
    });
    return movie;
  });
}
