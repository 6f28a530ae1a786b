// PGlite runs initdb (inside WASM) for every new database: ~3.6 s of CPU, most of a first `npm
// start` and of every in-memory test database (measured, issue #13). A new database is restored
// instead from a tarball of a freshly initialised one with PGlite's own dumpDataDir/loadDataDir
// (~0.7 s). The first creation after an install makes the tarball; it lives in node_modules/.cache
// (`npm ci` starts it afresh), named after PGlite's version. No tarball, or one that cannot be
// read or written: initdb as before.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';

/** Whether a PGlite folder holds a database already (`memory://` never does): a start that must create one takes seconds. */
export function pgliteExists(folder: string): boolean {
  return folder !== 'memory://' && existsSync(join(folder, 'PG_VERSION'));
}

/** Where the tarball is kept: …/node_modules/.cache/pglite/initdb-<PGlite's version>.tar.gz. */
export const templateFile = (() => {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite')); // …/node_modules/@electric-sql/pglite/dist/index.js
  const root = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return join(root, '..', '..', '.cache', 'pglite', `initdb-${version}.tar.gz`);
})();

/** The tarball, unpacked here: PGlite's own gunzip fails outside the caller's reach (an unhandled rejection) on a damaged file. */
function readTemplate(file: string): File | undefined {
  try {
    return new File([gunzipSync(readFileSync(file))], 'pgdata.tar', { type: 'application/x-tar' });
  } catch {
    return undefined;
  }
}

/** Written under a unique name, then renamed: a concurrent start reads a whole tarball or none. */
async function saveTemplate(client: PGlite, file: string): Promise<void> {
  try {
    const tarball = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}`;
    writeFileSync(partial, tarball);
    renameSync(partial, file);
  } catch {
    // A read-only install: every new database runs initdb.
  }
}

/**
 * A PGlite database in `dataDir` (or in memory): opened if it exists, else restored from the
 * template when there is one, else created by initdb and its template kept. `template`: tests only.
 */
export async function createPglite(dataDir: string | undefined, template = templateFile): Promise<PGlite> {
  const options = dataDir ? { dataDir } : {};
  if (dataDir && pgliteExists(dataDir)) return PGlite.create(options);
  let tarball = readTemplate(template);
  // Only into a folder with nothing in it, which can be emptied again if the restore fails.
  if (tarball && (!dataDir || !existsSync(dataDir) || readdirSync(dataDir).length === 0)) {
    try {
      return await PGlite.create({ ...options, loadDataDir: tarball });
    } catch {
      tarball = undefined; // unreadable: made again below
      if (dataDir) for (const name of readdirSync(dataDir)) rmSync(join(dataDir, name), { recursive: true, force: true });
    }
  }
  const client = await PGlite.create(options);
  if (!tarball) await saveTemplate(client, template);
  return client;
}
