// New PGlite databases come from a template tarball (issue #13): made by the first creation,
// blank (nothing of the database it was taken from), and replaced when unreadable.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { createPglite, pgliteExists } from '../src/pglite-template.ts';

const folder = mkdtempSync(join(tmpdir(), 'cinemaabyss-pglite-template-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const template = join(folder, 'cache', 'initdb.tar.gz');
const tables = async (client: PGlite) =>
  (await client.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'public'`)).rows.map((r) => r.name);

test('the first database makes the template; later ones, in memory or in a folder, start blank from it', { timeout: 180_000 }, async () => {
  const first = await createPglite(undefined, template);
  assert.ok(existsSync(template), 'template written');
  await first.exec('create table kept (id int)');
  await first.close();

  const inMemory = await createPglite(undefined, template);
  assert.deepEqual(await tables(inMemory), [], 'nothing of the first database');
  await inMemory.close();

  const dataDir = join(folder, 'db');
  const restored = await createPglite(dataDir, template);
  assert.ok(pgliteExists(dataDir));
  await restored.exec('create table mine (id int); insert into mine values (1)');
  await restored.close();
  const reopened = await createPglite(dataDir, template);
  assert.deepEqual(await tables(reopened), ['mine'], 'a folder is opened, never restored over');
  await reopened.close();
});

test('an unreadable template: initdb as before, and a good template replaces it', { timeout: 180_000 }, async () => {
  writeFileSync(template, 'not a tarball');
  const dataDir = join(folder, 'after-corrupt');
  const client = await createPglite(dataDir, template);
  assert.deepEqual((await client.query('select 1 as one')).rows, [{ one: 1 }]);
  await client.close();
  assert.ok(gunzipSync(readFileSync(template)).length > 1_000_000, 'a whole tarball in its place');
  const again = await createPglite(undefined, template);
  assert.deepEqual(await tables(again), []);
  await again.close();
});
