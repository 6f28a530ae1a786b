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
    genres: Type.Optional(
      Type.Array(Name({ maxLength: 50 }), { maxItems: 20, uniqueItems: true }),
    ),
    rating: Type.Number({ minimum: 0, maximum: 10 }),
  },
  { additionalProperties: false, title: 'CreateMovie' },
);
export type CreateMovie = Static<typeof CreateMovie>;

/** Without `limit` the whole catalogue is returned, as clients of the first API expect. */
export const MovieQuery = Type.Object(
  {
    id: Type.Optional(Id),
    // Compared with stored text, so the same rule: a NUL would reach PostgreSQL as an error.
    genre: Type.Optional(Text({ minLength: 1, maxLength: 50, description: 'Case-insensitive genre filter' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  },
);
export type MovieQuery = Static<typeof MovieQuery>;
