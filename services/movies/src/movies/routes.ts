import { CreateMovie, ErrorBody, Movie, MovieQuery } from '@cinemaabyss/api';
import type { Db } from '@cinemaabyss/db';
import { notFound, oneOrMany, type App } from '@cinemaabyss/http';
import type { DataMigration } from '../data/procedure.ts';
import { findOwnMovie, listOwnMovies } from '../store/queries.ts';
import { findMovie, insertMovie, listMovies } from './queries.ts';

const out = oneOrMany(Movie);

/**
 * `published` is called after a write whose event waits in an outbox. `data` (the data migration)
 * names the store of the moment: reads from the own store from phase 4, writes from phase 5;
 * before, and without it, the monolith's tables.
 */
export function movieRoutes(app: App, db: Db, published: () => void, data?: Pick<DataMigration, 'reads' | 'insert'>): void {
  app.get(
    '/api/movies',
    {
      schema: {
        summary: 'All movies (optionally by genre, paged with limit/offset), or one with ?id=N',
        tags: ['movies'],
        querystring: MovieQuery,
        response: { 200: out.schema, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, ...filters } = request.query;
      const from = data?.reads() ?? { db, own: false };
      if (id === undefined) return out.many(reply, await (from.own ? listOwnMovies : listMovies)(from.db, filters));
      const movie = await (from.own ? findOwnMovie : findMovie)(from.db, id);
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
        response: { 201: Movie },
      },
    },
    async (request, reply) => {
      const own = data?.insert(request.body);
      const movie = own ? await own : await insertMovie(db, request.body);
      published();
      return reply.code(201).send(movie);
    },
  );
}

