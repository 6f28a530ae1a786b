// Database commands for PostgreSQL deployments (embedded mode migrates and seeds by itself):
//   node packages/db/dist/cli.js migrate [--seed]
//   node packages/db/dist/cli.js seed
// Connection from DB_CONNECTION_STRING (or DATABASE_URL); without one, PGLITE_DATA_DIR (a PGlite
// folder is one process's at a time: stop the service that uses it first). The outbox commands
// live with the outbox: node packages/outbox/dist/cli.js (npm run outbox -- ...).
import { commandLineDatabase } from './cli-database.ts';
import { openDatabase } from './index.ts';
import { migrate } from './migrate.ts';
import { seed } from './seed.ts';

const [command, ...args] = process.argv.slice(2);
if (command !== 'migrate' && command !== 'seed') {
  // packages/db cannot depend on the outbox package (it depends on this one): name the new home instead.
  const moved = command === 'outbox' ? 'the outbox commands moved: node packages/outbox/dist/cli.js <command> (npm run outbox -- <command>)\n' : '';
  const wrong = command ? `unknown command ${JSON.stringify(command)}` : 'a command is required';
  console.error(`${moved || `${wrong}\n`}usage: cli.js migrate [--seed]\n       cli.js seed`);
  process.exit(2);
}
const { url, dataDir } = commandLineDatabase();
const database = await openDatabase({ url, dataDir, poolSize: 2 });
try {
  if (command === 'migrate') {
    await migrate(database);
    console.log(`migrations applied (${database.kind})`);
  }
  if (command === 'seed' || (command === 'migrate' && args.includes('--seed'))) {
    console.log((await seed(database.db)) ? 'sample data inserted' : 'database already has data; sample data skipped');
  }
} catch (error) {
  console.error(`db ${command} failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
