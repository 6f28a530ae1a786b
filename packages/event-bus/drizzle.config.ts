// drizzle-kit generates the embedded bus's SQL migrations from src/schema.ts:
//   npx drizzle-kit generate --name <what-changed>
export default {
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
};
