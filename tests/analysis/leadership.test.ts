// One replica decides: the advisory lock's holder. Losing its connection loses the leadership, and
// another replica takes it over. PGlite is a single process: its one replica always leads.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ANALYSIS_LOCK, leadership } from '../../services/gateway/src/analysis/leadership.ts';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';

let db: TestDatabase;

before(async () => {
  db = await freshDatabase({ seed: false });
});

after(async () => {
  await db?.drop();
});

test('the lock elects one replica; a lost connection hands it to another', async () => {
  const database = db.database;
  const one = leadership(database);
  assert.equal(await one.held(), true);
  if (backend() === 'pglite') {
    assert.equal(await one.held(), true, 'the only replica keeps leading');
    return one.release();
  }
  const other = leadership(await db.reopen());
  assert.equal(await other.held(), false, 'the lock is taken');
  assert.equal(await one.held(), true, 'and kept');

  // The leader's session dies (a network cut, a server restart of that backend).
  if (database.kind !== 'postgres') throw new Error('unreachable');
  await database.pool.query(
    `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND pid <> pg_backend_pid()`,
    [ANALYSIS_LOCK],
  );
  assert.equal(await one.held(), false, 'the old leader notices it lost the lock');
  assert.equal(await other.held(), true, 'another replica takes over');
  assert.equal(await one.held(), false, 'and the old one cannot take it back meanwhile');
  await other.release();
  assert.equal(await one.held(), true, 'released: the next candidate leads');
  await one.release();
});
