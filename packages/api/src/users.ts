import Type, { type Static } from 'typebox';
import { Id } from './common.ts';
import { Name, Text } from './text.ts';

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
    username: Name({ maxLength: 100 }),
    // Ajv's email format is ASCII only; the text rule keeps every body string under one rule.
    email: Text({ format: 'email', maxLength: 255 }),
  },
  { additionalProperties: false, title: 'CreateUser' },
);
export type CreateUser = Static<typeof CreateUser>;
