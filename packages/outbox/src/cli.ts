// The operator's outbox commands (README, "Domain events"):
//   node packages/outbox/dist/cli.js status|list|park|unpark ...   (npm run outbox -- ...)
// Connection from DB_CONNECTION_STRING (or DATABASE_URL); without one, PGLITE_DATA_DIR (a PGlite
// folder is one process's at a time: stop the service that uses it first). OUTBOX_SCHEMA=gateway
// points the commands at the gateway's outbox (its migration-events) instead of the monolith's.
import { existsSync } from 'node:fs';
import { commandLineDatabase, openDatabase } from '@cinemaabyss/db';
import { EXIT, OUTBOX_USAGE, parseOutboxCommand, runOutboxCommand, UsageError, type OutboxCommand } from './commands.ts';
import { outboxInSchema } from './schema.ts';

let command: OutboxCommand;
try {
  command = parseOutboxCommand(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n${OUTBOX_USAGE.map((line, i) => `${i ? '      ' : 'usage:'} cli.js ${line}`).join('\n')}`);
  process.exit(EXIT.usage);
}
const { url, dataDir } = commandLineDatabase();
if (!url && !existsSync(dataDir)) {
  console.error(`no database: set DB_CONNECTION_STRING, or PGLITE_DATA_DIR to an existing PGlite folder (${dataDir} does not exist)`);
  process.exit(EXIT.failed);
}
const database = await openDatabase({ url, dataDir, poolSize: 2 });
try {
  const schema = process.env['OUTBOX_SCHEMA'];
  process.exitCode = await runOutboxCommand(database.db, command, { out: console.log, err: console.error }, schema ? outboxInSchema(schema) : undefined);
} catch (error) {
  console.error(`outbox ${command.name} failed: ${(error as Error).message}`);
  process.exitCode = EXIT.failed;
} finally {
  await database.close();
}
