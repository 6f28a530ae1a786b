// drizzle-kit generates the versioned SQL migrations in ./migrations from the monolith's schema:
// its tables (src/schema.ts) and its outbox, whose definition is the outbox package's.
//   npx drizzle-kit generate --name <what-changed>
export default {
  dialect: 'postgresql',
  schema: ['./src/schema.ts', '../outbox/src/schema.ts'],
  out: './migrations',
};
