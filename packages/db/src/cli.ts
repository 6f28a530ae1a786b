// Database commands for PostgreSQL deployments (embedded mode migrates and seeds by itself):
//   node packages/db/dist/cli.js migrate [--seed]
//   node packages/db/dist/cli.js seed
// Connection from DB_CONNECTION_STRING (or DATABASE_URL); without one, PGLITE_DATA_DIR.
import { openDatabase } from './index.ts';
import { migrate } from './migrate.ts';
import { seed } from './seed.ts';

const [command, ...flags] = process.argv.slice(2);
if (command !== 'migrate' && command !== 'seed') {
  console.error('usage: cli.js migrate [--seed] | seed');
  process.exit(2);
}
const url = process.env['DB_CONNECTION_STRING'] || process.env['DATABASE_URL'];
const database = await openDatabase({ url, dataDir: process.env['PGLITE_DATA_DIR'] ?? '.data/pglite' });
try {
  if (command === 'migrate') {
    await migrate(database);
    console.log(`migrations applied (${database.kind})`);
  }
  if (command === 'seed' || flags.includes('--seed')) {
    console.log((await seed(database.db)) ? 'sample data inserted' : 'database already has data; sample data skipped');
  }
} catch (error) {
  console.error(`db ${command} failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
