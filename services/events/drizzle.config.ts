// drizzle-kit generates the events service's SQL migrations from src/schema.ts:
//   npx drizzle-kit generate --name <what-changed>
export default {
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
};
