import Type, { type Static } from 'typebox';
import { Id } from './common.ts';
import { Name, Text } from './text.ts';

export const Movie = Type.Object(
  {
    id: Id,
    title: Type.String(),
    description: Type.String(),
    genres: Type.Array(Type.String()),
    rating: Type.Number(),
  },
  { title: 'Movie' },
);
export type Movie = Static<typeof Movie>;

export const CreateMovie = Type.Object(
  {
    title: Name({ maxLength: 255 }),
    description: Text({ maxLength: 10_000 }),
    genres: Type.Optional(Type.Array(Name({ maxLength: 50 }), { maxItems: 20, uniqueItems: true })),
    rating: Type.Number({ minimum: 0, maximum: 10 }),
  },
  { additionalProperties: false, title: 'CreateMovie' },
);
export type CreateMovie = Static<typeof CreateMovie>;

/**
 * Without `limit` the whole catalogue is returned, as clients of the first API expect. Every list
 * answer carries `TOTAL_COUNT_HEADER`: the number of movies matching the filters, whatever the page.
 */
export const MovieQuery = Type.Object({
  id: Type.Optional(Id),
  // Compared with stored text, so the same rule: a NUL would reach PostgreSQL as an error.
  genre: Type.Optional(Text({ minLength: 1, maxLength: 50, description: 'Case-insensitive genre filter' })),
  title: Type.Optional(Text({ minLength: 1, maxLength: 255, description: 'Case-insensitive substring of the title' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
});
export type MovieQuery = Static<typeof MovieQuery>;

/** The header of a movie list answer that counts every matching movie, ignoring limit and offset. */
export const TOTAL_COUNT_HEADER = 'x-total-count';

/**
 * The list answer's headers, for the OpenAPI document (`headers` of a response schema). A decimal
 * integer, documented as the digits it is on the wire: validators differ on coercing header values.
 */
export const MovieListHeaders = {
  [TOTAL_COUNT_HEADER]: Type.String({
    pattern: '^(?:0|[1-9][0-9]*)$',
    description: 'Movies matching genre/title, whatever limit and offset (list answers only, not ?id=)',
  }),
};

/** A page of the movie list and the number of movies matching its filters. */
export interface MoviePage {
  movies: Movie[];
  total: number;
}
