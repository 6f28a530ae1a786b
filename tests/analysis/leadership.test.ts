// One replica decides: the advisory lock's holder. Losing its connection loses the leadership, and
// another replica takes it over. PGlite is a single process: its one replica always leads.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ANALYSIS_LOCK, leadership, type Leadership } from '../../services/gateway/src/analysis/leadership.ts';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';

let db: TestDatabase;
const candidates: Leadership[] = [];

before(async () => {
  db = await freshDatabase({ seed: false });
});

after(async () => {
  for (const c of candidates) await c.release(); // a session left checked out would keep its pool from closing
  await db?.drop();
});

test('the lock elects one replica; a lost connection hands it to another', async () => {
  const database = db.database;
  const one = leadership(database);
  candidates.push(one);
  assert.equal(await one.held(), true);
  if (backend() === 'pglite') {
    assert.equal(await one.held(), true, 'the only replica keeps leading');
    return;
  }
  const other = leadership(await db.reopen());
  candidates.push(other);
  assert.equal(await other.held(), false, 'the lock is taken');
  assert.equal(await one.held(), true, 'and kept');

  // The leader's session dies (a network cut, a restart of that server process).
  if (database.kind !== 'postgres') throw new Error('unreachable');
  await database.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND pid <> pg_backend_pid()`, [
    ANALYSIS_LOCK,
  ]);
  await eventually(() => other.held(), 10_000, 'another replica taking over');
  assert.equal(await one.held(), false, 'the old leader has lost it and cannot take it back');
  await other.release();
  await eventually(() => one.held(), 10_000, 'the next candidate leading after a release');
});
