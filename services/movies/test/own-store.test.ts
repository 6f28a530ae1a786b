// The own store's life cycle (issue #13): a PGlite folder is created only when provisioned, once,
// and what was attached follows the database's life.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { openOwnStore } from '../src/store/open.ts';

const folder = mkdtempSync(join(tmpdir(), 'cinemaabyss-own-store-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const settings = { PGLITE_DATA_DIR: join(folder, 'main'), DB_POOL_SIZE: 1 };

test('a PGlite own store is created when provisioned, then opened at start', { timeout: 180_000 }, async () => {
  const store = (await openOwnStore(settings))!;
  assert.equal(store.kind, 'pglite');
  assert.equal(store.database, undefined);
  assert.equal(existsSync(join(folder, 'main-movies')), false, 'nothing created at start');
  const events: string[] = [];
  const detachEarly = store.attach(() => {
    events.push('early attached');
    return async () => void events.push('early detached');
  });
  const [a, b] = await Promise.all([store.provision(), store.provision()]);
  assert.equal(a, b, 'one creation for concurrent calls');
  assert.equal(store.database, a);
  assert.ok(existsSync(join(folder, 'main-movies', 'PG_VERSION')));
  const phase = (await a.db.execute(sql`select phase from movies.procedure`)) as unknown as { rows: { phase: number }[] };
  assert.deepEqual(phase.rows, [{ phase: 0 }], 'migrated: the procedure row at phase 0');
  store.attach(() => {
    events.push('late attached');
    return async () => void events.push('late detached');
  });
  await new Promise((resolve) => setImmediate(resolve));
  await detachEarly();
  await store.close();
  assert.deepEqual(events, ['early attached', 'late attached', 'early detached', 'late detached']);

  const again = (await openOwnStore(settings))!;
  assert.ok(again.database, 'an existing folder is opened at start');
  await again.close();
});

test('a movies service on PostgreSQL without its own URL has no own store', async () => {
  assert.equal(await openOwnStore({ ...settings, DB_CONNECTION_STRING: 'postgres://nowhere.invalid/db' }), undefined);
});
