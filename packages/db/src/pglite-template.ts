// PGlite runs initdb (inside WASM) for every new database: ~3.6 s of CPU, most of a first `npm
// start` and of every in-memory test database (measured, issue #13). A new database is restored
// instead from a tarball of a freshly initialised one with PGlite's own dumpDataDir/loadDataDir
// (~0.7 s). The first creation after an install makes the tarball; it lives in node_modules/.cache
// (`npm ci` starts it afresh), named after PGlite's version. No tarball, or one that cannot be
// read or written: initdb as before.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/** Whether a PGlite folder holds a database already (`memory://` never does): a start that must create one takes seconds. */
export function pgliteExists(folder: string): boolean {
  return folder !== 'memory://' && existsSync(join(folder, 'PG_VERSION'));
}

const template = (() => {
  // …/node_modules/@electric-sql/pglite/dist/index.js → …/node_modules/.cache/pglite/<version>.tar.gz
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const root = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return join(root, '..', '..', '.cache', 'pglite', `initdb-${version}.tar.gz`);
})();

function readTemplate(): File | undefined {
  try {
    return new File([readFileSync(template)], 'pgdata.tar.gz', { type: 'application/x-gzip' });
  } catch {
    return undefined;
  }
}

/** Written under a unique name, then renamed: a concurrent start reads a whole tarball or none. */
async function saveTemplate(client: PGlite): Promise<void> {
  try {
    const tarball = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
    mkdirSync(dirname(template), { recursive: true });
    const partial = `${template}.${process.pid}.${Date.now()}`;
    writeFileSync(partial, tarball);
    renameSync(partial, template);
  } catch {
    // A read-only install: every new database runs initdb.
  }
}

/** A PGlite database in `dataDir` (or in memory): opened if it exists, else created from the template when there is one. */
export async function createPglite(dataDir: string | undefined): Promise<PGlite> {
  const options = dataDir ? { dataDir } : {};
  if (dataDir && pgliteExists(dataDir)) return PGlite.create(options);
  const tarball = readTemplate();
  if (tarball) {
    // Only into a folder with nothing in it, which may be emptied again if the restore fails.
    const empty = !dataDir || readdirSync(dataDir).length === 0;
    if (empty) {
      try {
        return await PGlite.create({ ...options, loadDataDir: tarball });
      } catch {
        rmSync(template, { force: true });
        if (dataDir) for (const name of readdirSync(dataDir)) rmSync(join(dataDir, name), { recursive: true, force: true });
      }
    }
  }
  const client = await PGlite.create(options);
  if (!tarball) await saveTemplate(client);
  return client;
}
