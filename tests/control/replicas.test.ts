// Two gateway replicas on one database: a change through replica A's control plane moves the
// split on replica B without a restart, by notification, and by the periodic re-read when B
// missed the notification. With nothing stored, a replica routes as its route table says.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { abort, applyChanges, kill } from '../../services/gateway/src/control/state.ts';
import type { TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { startEcho, type EchoServer } from '../gateway/support.ts';
import { gatewayDatabase, migrationTable, person, servedBy, startReplica, type Replica } from './support.ts';

const audit = (reason: string) => ({ actor: person, action: 'set' as const, reason });

describe('two gateway replicas on one database', () => {
  let db: TestDatabase;
  let old: EchoServer;
  let fresh: EchoServer;
  let a: Replica;
  let b: Replica;
  let deaf: Replica;
  let table: unknown;

  before(async () => {
    db = await gatewayDatabase();
    old = await startEcho('old');
    fresh = await startEcho('new');
    table = migrationTable(old.url, fresh.url);
    // Separate handles, as separate processes would have (the same one on in-memory PGlite).
    a = await startReplica(db.database, table);
    b = await startReplica(await db.reopen(), table);
    deaf = await startReplica(await db.reopen(), table, { deaf: true, refreshMs: 200 });
  });
  after(async () => {
    await Promise.all([a, b, deaf].map((r) => r?.close()));
    await Promise.all([old, fresh].map((s) => s?.close()));
    await db.drop();
  });

  test('with nothing stored, every replica routes as its route table says', async () => {
    for (const replica of [a, b]) {
      assert.equal(replica.plane.get('movies')!.version, 0);
      assert.deepEqual(replica.route().migration, { to: 'new', enabled: false, percent: 0, mode: 'random', fallback: true });
      assert.equal(await servedBy(replica.url), 'old');
    }
  });

  test("a change on A moves B's split without a restart", async () => {
    await a.plane.change('movies', (s, now) => applyChanges(s, { percent: 100 }, now), audit('all in'));
    assert.equal(a.route().migration!.percent, 100);
    await eventually(() => b.route().migration?.percent === 100, 10_000, "B's split at 100 %");
    assert.equal(b.plane.get('movies')!.stage, 'migrated');
    assert.equal(b.route().live?.version, 1);
    for (let i = 0; i < 5; i++) assert.equal(await servedBy(b.url), 'new');
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    assert.match(metrics, /^gateway_migration_percent\{route="movies",to="new",service="gateway"\} 100$/m);
    assert.match(metrics, /^gateway_migration_stage\{route="movies",stage="migrated",service="gateway"\} 1$/m);
    assert.match(metrics, /^gateway_migration_stage\{route="movies",stage="off",service="gateway"\} 0$/m);
    assert.match(metrics, /^gateway_migration_paused\{route="movies",service="gateway"\} 0$/m);

    await a.plane.change('movies', (s, now) => kill(s, now), { actor: person, action: 'kill', reason: 'stop' });
    await eventually(() => b.route().migration?.enabled === false, 10_000, 'the kill switch on B');
    for (let i = 0; i < 5; i++) assert.equal(await servedBy(b.url), 'old');
  });

  test('a replica that missed the notification catches up by its periodic re-read', async () => {
    await eventually(() => deaf.plane.get('movies')?.killed === true, 10_000, 'the deaf replica to catch up');
    await b.plane.change('movies', (s, now) => applyChanges({ ...s, killed: false }, { percent: 100 }, now), audit('back in'));
    await eventually(() => deaf.route().migration?.percent === 100 && deaf.route().migration?.enabled === true, 10_000, 'the re-read');
    assert.equal(await servedBy(deaf.url), 'new');
  });

  test('concurrent changes on two replicas: the loser re-reads and retries once, none is lost', async () => {
    const before = a.plane.get('movies')!.version;
    await eventually(() => b.plane.get('movies')!.version === before, 10_000, 'B in step');
    await Promise.all([
      a.plane.change('movies', (s, now) => applyChanges(s, { mode: 'sticky' }, now), audit('sticky')),
      b.plane.change('movies', (s, now) => applyChanges(s, { fallback: false }, now), audit('no fallback')),
    ]);
    await eventually(() => a.plane.get('movies')!.version === before + 2 && b.plane.get('movies')!.version === before + 2, 10_000, 'both changes everywhere');
    for (const replica of [a, b]) assert.deepEqual([replica.route().migration!.mode, replica.route().migration!.fallback], ['sticky', false]);
    const reasons = (await a.plane.audit({ limit: 2 })).map((e) => e.reason).sort();
    assert.deepEqual(reasons, ['no fallback', 'sticky']);
  });

  test('a restarted replica starts from the stored state, not from its route table', async () => {
    await a.plane.change('movies', (s, now) => abort(s, 'enough', now), { actor: person, action: 'abort', reason: 'enough' });
    const restarted = await startReplica(await db.reopen(), migrationTable(old.url, fresh.url, { enabled: true, percent: 100 }));
    try {
      assert.equal(restarted.plane.get('movies')!.stage, 'shadow');
      assert.equal(restarted.route().migration!.percent, 0);
      assert.equal(await servedBy(restarted.url), 'old');
    } finally {
      await restarted.close();
    }
  });
});
