// The state store on PostgreSQL or PGlite (DB_BACKEND): compare-and-set, the append-only audit
// log and the migration-events outbox row, all in one transaction, and the notification.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { outboxStatus } from '@cinemaabyss/outbox';
import { createStateStore, validateRouteTable, type StateStore } from '@cinemaabyss/gateway';
import { gatewayOutbox } from '../../services/gateway/src/control/store/state-store.ts';
import { applyChanges, ChangeError, initialState, pause, type MigrationState } from '../../services/gateway/src/control/state.ts';
import type { TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { quietLogger } from '../support/stack.ts';
import { gatewayDatabase, migrationTable, person } from './support.ts';

const table = validateRouteTable(migrationTable('http://127.0.0.1:1', 'http://127.0.0.1:2'));
const start = (): MigrationState => initialState(table.routes[0]!, new Date('2026-01-01T00:00:00Z'))!;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('state store', () => {
  let test_: TestDatabase;
  let store: StateStore;
  const heard: string[] = [];
  const count = async (from: string): Promise<number> => {
    const result = await test_.database.db.execute(sql.raw(`select count(*)::int as n from ${from}`));
    return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n);
  };

  before(async () => {
    test_ = await gatewayDatabase();
    store = await createStateStore(test_.database, quietLogger());
    store.onNotify((route) => heard.push(route));
  });
  after(async () => {
    await store.close();
    await test_.drop();
  });

  test('nothing is stored before the first change', async () => {
    assert.equal((await store.load()).size, 0);
  });

  test('a change is stored, audited, put in the outbox and notified, together', async () => {
    const old = start();
    const next = applyChanges(old, { percent: 25 }, at(1));
    const entry = await store.save(next, old, { actor: person, action: 'set', reason: 'first canary' });
    assert.deepEqual((await store.load()).get('movies'), next);
    assert.equal(entry.route, 'movies');
    assert.deepEqual(entry.actor, person);
    assert.equal(entry.reason, 'first canary');
    assert.deepEqual(entry.old, old);
    assert.deepEqual(entry.new, next);
    const result = await test_.database.db.execute(sql`select topic, key, type, source, payload from gateway.outbox`);
    const rows = (result as unknown as { rows: { topic: string; key: string; type: string; source: string; payload: { id: number; reason: string } }[] }).rows;
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { ...rows[0]!, payload: undefined },
      { topic: 'migration-events', key: 'movies', type: 'migration.changed', source: 'gateway', payload: undefined },
    );
    assert.equal(rows[0]!.payload.id, entry.id);
    assert.equal(rows[0]!.payload.reason, 'first canary');
    await eventually(() => heard.includes('movies'), 10_000, 'the notification');
  });

  test('a stale version is refused (409) and writes nothing', async () => {
    const current = (await store.load()).get('movies')!;
    const audits = await count('gateway.audit');
    const events = await count('gateway.outbox');
    // Built on the state before `current`: its version is already taken.
    const stale = applyChanges({ ...current, version: current.version - 1 }, { percent: 50 }, at(2));
    await assert.rejects(store.save(stale, current, { actor: person, action: 'set', reason: 'late' }), (error: unknown) => {
      assert.ok(error instanceof ChangeError);
      assert.equal(error.code, 'VERSION_CONFLICT');
      assert.equal(error.statusCode, 409);
      return true;
    });
    // A first change of a route that is already stored collides the same way.
    await assert.rejects(store.save(applyChanges(start(), { percent: 5 }, at(2)), start(), { actor: person, action: 'set', reason: 'late' }), ChangeError);
    assert.deepEqual((await store.load()).get('movies'), current);
    assert.equal(await count('gateway.audit'), audits);
    assert.equal(await count('gateway.outbox'), events);
  });

  test('the audit log lists every change newest first, pages with before, filters by route', async () => {
    let state = (await store.load()).get('movies')!;
    for (const [i, percent] of [50, 75].entries()) {
      const next = applyChanges(state, { percent }, at(10 + i));
      await store.save(next, state, { actor: person, action: 'set', reason: `step ${percent}` });
      state = next;
    }
    const paused = pause(state, 'look', at(20));
    await store.save(paused, state, { actor: { kind: 'analysis', label: 'analysis' }, action: 'pause', reason: 'look' });

    const all = await store.audit({ limit: 10 });
    assert.deepEqual(
      all.map((e) => e.reason),
      ['look', 'step 75', 'step 50', 'first canary'],
    );
    assert.ok(all.every((e, i) => i === 0 || e.id < all[i - 1]!.id));
    // Each entry starts where the one before it ended: nothing lost, nothing rewritten.
    for (let i = 0; i < all.length - 1; i++) assert.deepEqual(all[i]!.old, all[i + 1]!.new);
    assert.deepEqual(all[0]!.actor, { kind: 'analysis', label: 'analysis' });
    const page = await store.audit({ limit: 2, before: all[1]!.id });
    assert.deepEqual(
      page.map((e) => e.reason),
      ['step 50', 'first canary'],
    );
    assert.deepEqual(await store.audit({ route: 'other', limit: 10 }), []);
    assert.equal((await store.audit({ route: 'movies', limit: 10 })).length, 4);
    assert.equal(await count('gateway.outbox'), 4);
    // The outbox queries (relay, metrics, `OUTBOX_SCHEMA=gateway npm run outbox`) read the gateway's own.
    assert.equal((await outboxStatus(test_.database.db, gatewayOutbox)).pending, 4);
    assert.equal((await outboxStatus(test_.database.db)).pending, 0);
  });

  test('the database refuses to rewrite or remove audit entries', async () => {
    const before = await store.audit({ limit: 100 });
    for (const statement of [sql`update gateway.audit set reason = 'rewritten'`, sql`delete from gateway.audit`, sql`truncate gateway.audit`]) {
      await assert.rejects(test_.database.db.execute(statement), (error: Error) => /append-only/.test(String((error.cause as Error | undefined)?.message)));
    }
    assert.deepEqual(await store.audit({ limit: 100 }), before);
  });
});
