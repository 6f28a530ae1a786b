// drizzle-kit generates the versioned SQL migrations in ./migrations from src/schema.ts:
//   npx drizzle-kit generate --name <what-changed>
export default {
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
};
