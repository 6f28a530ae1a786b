import { CreateMovie, ErrorBody, Movie, MovieListHeaders, MovieQuery, TOTAL_COUNT_HEADER } from '@cinemaabyss/api';
import { moviesRetired, type Db } from '@cinemaabyss/db';
import { gone, notFound, oneOrMany, type App } from '@cinemaabyss/http';
import { findMovie, insertMovie, listMovies } from './queries.ts';

const out = oneOrMany(Movie);

/** `published` is called after a write whose event waits in the outbox. */
export function movieRoutes(app: App, db: Db, published: () => void): void {
  app.get(
    '/api/movies',
    {
      schema: {
        summary: 'All movies (optionally by genre or title, paged with limit/offset; X-Total-Count counts every match), or one with ?id=N',
        tags: ['movies'],
        querystring: MovieQuery,
        response: { 200: { ...out.schema, headers: MovieListHeaders }, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, ...filters } = request.query;
      if (id === undefined) {
        const page = await listMovies(db, filters);
        return out.many(reply.header(TOTAL_COUNT_HEADER, page.total), page.movies);
      }
      const movie = await findMovie(db, id);
      if (!movie) throw notFound(`movie ${id}`);
      return out.one(reply, movie);
    },
  );

  app.post(
    '/api/movies',
    {
      schema: {
        summary: 'Create a movie',
        tags: ['movies'],
        body: CreateMovie,
        response: {
          201: Movie,
          410: { ...ErrorBody, description: "The monolith's movies are retired (data migration, phase 6): the movies service owns them" },
        },
      },
    },
    async (request, reply) => {
      const movie = await insertMovie(db, request.body).catch((error: unknown) => {
        if (moviesRetired(error)) throw gone("the monolith's movies are retired: create movies through the gateway (the movies service owns them)");
        throw error;
      });
      published();
      return reply.code(201).send(movie);
    },
  );
}
