import { CreateUser, ErrorBody, IdQuery, User } from '@cinemaabyss/api';
import { uniqueViolation, type Db } from '@cinemaabyss/db';
import { conflict, notFound, oneOrMany, type App } from '@cinemaabyss/http';
import { findUser, insertUser, listUsers } from './queries.ts';

const out = oneOrMany(User);

export function userRoutes(app: App, db: Db, published: () => void): void {
  app.get(
    '/api/users',
    {
      schema: {
        summary: 'All users, or one with ?id=N',
        tags: ['users'],
        querystring: IdQuery,
        response: { 200: out.schema, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.query;
      if (id === undefined) return out.many(reply, await listUsers(db));
      const user = await findUser(db, id);
      if (!user) throw notFound(`user ${id}`);
      return out.one(reply, user);
    },
  );

  app.post(
    '/api/users',
    {
      schema: {
        summary: 'Create a user',
        tags: ['users'],
        body: CreateUser,
        response: { 201: User, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      try {
        const created = await insertUser(db, request.body);
        published();
        return reply.code(201).send(created);
      } catch (error) {
        const constraint = uniqueViolation(error);
        if (constraint) {
          throw conflict(constraint.includes('email') ? 'email already exists' : 'username already exists');
        }
        throw error;
      }
    },
  );
}
