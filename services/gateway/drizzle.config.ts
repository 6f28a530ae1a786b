// drizzle-kit generates the gateway's control-plane migrations from src/control/store/schema.ts:
//   npx drizzle-kit generate --name <what-changed>
export default {
  dialect: 'postgresql',
  schema: './src/control/store/schema.ts',
  out: './migrations',
};
