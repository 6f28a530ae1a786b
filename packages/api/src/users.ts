import Type, { type Static } from 'typebox';
import { Id } from './common.ts';

export const User = Type.Object(
  {
    id: Id,
    username: Type.String(),
    email: Type.String(),
  },
  { title: 'User' },
);
export type User = Static<typeof User>;

export const CreateUser = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    email: Type.String({ format: 'email', maxLength: 255 }),
  },
  { additionalProperties: false, title: 'CreateUser' },
);
export type CreateUser = Static<typeof CreateUser>;
