import { CreateMovie, ErrorBody, Movie, MovieListHeaders, MovieQuery, TOTAL_COUNT_HEADER } from '@cinemaabyss/api';
import type { Db } from '@cinemaabyss/db';
import { notFound, notModified, oneOrMany, type App } from '@cinemaabyss/http';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { DataMigration } from '../data/procedure.ts';
import { findOwnMovie, listOwnMovies } from '../store/queries.ts';
import { findMovie, insertMovie, listMovies } from './queries.ts';

export const out = oneOrMany(Movie);

// No body, so no schema type: Fastify then sends no Content-Length (a 304 must not announce one).
const NotModified = { description: 'Not modified: the `If-None-Match` tag is the list’s current `ETag`; no body' };

/**
 * `published` is called after a write whose event waits in an outbox. Unfiltered lists (the
 * whole catalogue or a limit/offset page of it) come from `catalogue`, with an ETag; filtered ones
 * from the database, since their text rules are the database's. `data` (the data migration) names
 * the store of the moment: reads from the own store from phase 4, writes from phase 5; before,
 * and without it, the monolith's tables.
 */
export function movieRoutes(app: App, db: Db, published: () => void, catalogue: Catalogue, data?: Pick<DataMigration, 'reads' | 'insert' | 'written'>): void {
  app.get(
    '/api/movies',
    {
      schema: {
        summary: 'All movies (optionally by genre or title, paged with limit/offset; X-Total-Count counts every match), or one with ?id=N',
        description: 'Unfiltered lists carry a strong `ETag`; send it back in `If-None-Match` to get 304 while the movies are unchanged.',
        tags: ['movies'],
        querystring: MovieQuery,
        response: { 200: { ...out.schema, headers: MovieListHeaders }, 304: NotModified, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, limit, offset, ...filters } = request.query;
      const from = data?.reads() ?? { db, own: false };
      if (id !== undefined) {
        const movie = await (from.own ? findOwnMovie : findMovie)(from.db, id);
        if (!movie) throw notFound(`movie ${id}`);
        return out.one(reply, movie);
      }
      if (Object.keys(filters).length > 0) {
        const found = await (from.own ? listOwnMovies : listMovies)(from.db, { ...filters, limit, offset });
        return out.many(reply.header(TOTAL_COUNT_HEADER, found.total), found.movies);
      }
      const snapshot = await catalogue.snapshot();
      const page = snapshot.page(offset, limit);
      reply.header(TOTAL_COUNT_HEADER, snapshot.total);
      if (notModified(request, reply, page.etag)) return reply.code(304).send();
      return out.serialized(reply, page.body);
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
      if (!own) await data?.written(movie);
      // Before answering: a client that reads after its 201 must see its movie (other replicas
      // learn of it from the tables' notification).
      catalogue.invalidate();
      published();
      return reply.code(201).send(movie);
    },
  );
}
