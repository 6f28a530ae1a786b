/**
 * The database a command-line tool opens (`cli.js migrate`, the outbox commands): DB_CONNECTION_STRING
 * (or DATABASE_URL), else the PGlite folder PGLITE_DATA_DIR (one process's at a time: stop the
 * service that uses it first).
 */
export function commandLineDatabase(env: NodeJS.ProcessEnv = process.env): { url: string | undefined; dataDir: string } {
  return { url: env['DB_CONNECTION_STRING'] || env['DATABASE_URL'], dataDir: env['PGLITE_DATA_DIR'] ?? '.data/pglite' };
}
