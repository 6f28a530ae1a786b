// Database commands for PostgreSQL deployments (embedded mode migrates and seeds by itself):
//   node packages/db/dist/cli.js migrate [--seed]
//   node packages/db/dist/cli.js seed
//   node packages/db/dist/cli.js outbox status|list|park|unpark ...   (npm run outbox -- ...)
// Connection from DB_CONNECTION_STRING (or DATABASE_URL); without one, PGLITE_DATA_DIR (a PGlite
// folder is one process's at a time: stop the service that uses it first). OUTBOX_SCHEMA=gateway
// points the outbox commands at the gateway's outbox (its migration-events) instead of the monolith's.
import { existsSync } from 'node:fs';
import { openDatabase, outboxInSchema } from './index.ts';
import { migrate } from './migrate.ts';
import { EXIT, OUTBOX_USAGE, parseOutboxCommand, runOutboxCommand, UsageError, type OutboxCommand } from './outbox-cli.ts';
import { seed } from './seed.ts';

const [command, ...args] = process.argv.slice(2);
const usage = ['migrate [--seed]', 'seed', ...OUTBOX_USAGE].map((line, i) => `${i ? '      ' : 'usage:'} cli.js ${line}`).join('\n');
let outboxCommand: OutboxCommand | undefined;
try {
  if (command === 'outbox') outboxCommand = parseOutboxCommand(args);
  else if (command !== 'migrate' && command !== 'seed') throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(EXIT.usage);
}
const url = process.env['DB_CONNECTION_STRING'] || process.env['DATABASE_URL'];
const dataDir = process.env['PGLITE_DATA_DIR'] ?? '.data/pglite';
if (outboxCommand && !url && !existsSync(dataDir)) {
  console.error(`no database: set DB_CONNECTION_STRING, or PGLITE_DATA_DIR to an existing PGlite folder (${dataDir} does not exist)`);
  process.exit(EXIT.failed);
}
const database = await openDatabase({ url, dataDir, poolSize: 2 });
try {
  if (outboxCommand) {
    const schema = process.env['OUTBOX_SCHEMA'];
    const io = { out: console.log, err: console.error };
    process.exitCode = await runOutboxCommand(database.db, outboxCommand, io, schema ? outboxInSchema(schema) : undefined);
  }
  if (command === 'migrate') {
    await migrate(database);
    console.log(`migrations applied (${database.kind})`);
  }
  if (command === 'seed' || (command === 'migrate' && args.includes('--seed'))) {
    console.log((await seed(database.db)) ? 'sample data inserted' : 'database already has data; sample data skipped');
  }
} catch (error) {
  console.error(`db ${command} failed: ${(error as Error).message}`);
  process.exitCode = EXIT.failed;
} finally {
  await database.close();
}
