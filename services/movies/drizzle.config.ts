// drizzle-kit generates the movies service's own migrations in ./migrations from src/store/schema.ts:
//   npx drizzle-kit generate --name <what-changed>
export default {
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './migrations',
  schemaFilter: ['movies'],
};
