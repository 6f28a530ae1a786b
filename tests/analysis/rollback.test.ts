// A movies service that starts failing under load is rolled back by the analysis, on every replica,
// with an audit entry naming the failed check; healthy windows afterwards move nothing forward.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyChanges, effectivePercent } from '../../services/gateway/src/control/state.ts';
import { analysisCounts } from '../../services/gateway/src/control/store/schema.ts';
import { freshDatabase, backend, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { metricsText, sample } from '../gateway/support.ts';
import { faultProxy, load, migrateGateway, moviesTable, startReplica, type FaultProxy, type Replica } from './support.ts';

let db: TestDatabase;
let stack: Stack;
let faulty: FaultProxy;
const replicas: Replica[] = [];
const person = { kind: 'person', label: 'test-operator' } as const;

before(async () => {
  db = await freshDatabase();
  await migrateGateway(db.database);
  stack = await startStack(db.database);
  faulty = await faultProxy(stack.movies);
  // Two replicas on one PostgreSQL (each with its own connections, as two processes); PGlite has one.
  const handles = backend() === 'postgres' ? [db.database, await db.reopen()] : [db.database];
  for (const [i, handle] of handles.entries()) replicas.push(await startReplica(handle, moviesTable(stack.monolith, faulty.url), `replica-${i}`));
});

after(async () => {
  for (const r of replicas) await r.close();
  await faulty?.close();
  await stack?.close();
  await db?.drop();
});

test('failing windows roll back to the previous step, paused, audited with the failed check, and nothing moves forward after', async () => {
  const [first] = replicas;
  await first!.plane.change(
    'movies',
    (s, now) =>
      applyChanges(
        s,
        {
          stage: 'canary',
          percent: 50,
          steps: [20, 50],
          analysis: { enabled: true, windowSeconds: 1, minRequests: 5, maxErrorRate: 0.2, maxP99Ratio: 50, failWindows: 2, passWindows: 2, autoPromote: true, rollbackTo: 'previous' },
        },
        now,
      ),
    { actor: person, action: 'set', reason: 'canary with analysis' },
  );
  let stop = false;
  const traffic = load(
    replicas.map((r) => r.url),
    '/api/movies',
    { done: () => stop, max: 200_000 },
  );
  try {
    const verdicts = () => first!.analysis.reporter.report('movies', 50);
    await eventually(async () => (await verdicts()).some((v) => v.verdict === 'pass'), 30_000, 'a healthy window');

    faulty.fault = { kind: 'fail', status: 503 };
    const rollbackEntry = async () => (await first!.plane.audit({ route: 'movies', limit: 20 })).find((e) => e.action === 'rollback');
    await eventually(async () => (await rollbackEntry()) !== undefined, 30_000, 'an automatic rollback');
    faulty.fault = { kind: 'none' };
    const entry = (await rollbackEntry())!;

    assert.deepEqual(entry.actor, { kind: 'analysis', label: 'analysis' });
    assert.match(entry.reason, /error_rate [\d.]+ > 0\.2/);
    const from = effectivePercent(entry.old);
    assert.ok(from === 50 || from === 100, `rolled back from ${from} %`);
    assert.deepEqual([entry.new.stage, entry.new.percent, entry.new.paused], ['canary', from === 100 ? 50 : 20, true]);
    assert.equal(entry.new.pausedReason, entry.reason);
    for (const r of replicas) {
      await eventually(() => r.plane.get('movies')!.version === entry.new.version, 10_000, 'every replica follows the rollback');
    }

    // Healthy again: passing windows, yet paused, so no step forward.
    const since = Date.parse(entry.new.updatedAt);
    const passedSince = async () => (await verdicts()).filter((v) => Date.parse(v.windowStart) >= since && v.verdict === 'pass').length;
    await eventually(async () => (await passedSince()) >= 3, 30_000, 'passing windows after the rollback').catch(async (error: unknown) => {
      console.log(JSON.stringify((await verdicts()).slice(0, 8), null, 1));
      throw error;
    });
    const latest = await first!.plane.audit({ route: 'movies', limit: 1 });
    assert.equal(latest[0]!.id, entry.id, 'no change after the rollback');
    for (const r of replicas) assert.equal(r.plane.get('movies')!.version, entry.new.version);

    const reporting = await db.database.db.selectDistinct({ replica: analysisCounts.replica }).from(analysisCounts);
    assert.equal(reporting.length, replicas.length, 'every replica reported its counts');

    const rollbacks = await Promise.all(replicas.map(async (r) => sample(await metricsText(r.url), 'gateway_migration_rollbacks_total', { route: 'movies', check: 'error_rate' }) ?? 0));
    assert.equal(rollbacks.reduce((a, b) => a + b), 1, 'one rollback, counted by the replica that decided it');
  } finally {
    stop = true;
    await traffic;
  }
});
