// A movies service that slows down under load fails the p99 latency check: rolled back to zero
// (shadow, 0 %), paused, the audit entry naming p99_ratio.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyChanges, effectivePercent } from '../../services/gateway/src/control/state.ts';
import { freshDatabase, backend, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { faultProxy, load, migrateGateway, moviesTable, startReplica, type FaultProxy, type Replica } from './support.ts';

let db: TestDatabase;
let stack: Stack;
let faulty: FaultProxy;
const replicas: Replica[] = [];

before(async () => {
  db = await freshDatabase();
  await migrateGateway(db.database);
  stack = await startStack(db.database);
  faulty = await faultProxy(stack.movies);
  const handles = backend() === 'postgres' ? [db.database, await db.reopen()] : [db.database];
  for (const [i, handle] of handles.entries()) replicas.push(await startReplica(handle, moviesTable(stack.monolith, faulty.url), `replica-${i}`));
});

after(async () => {
  for (const r of replicas) await r.close();
  await faulty?.close();
  await stack?.close();
  await db?.drop();
});

test('a slower new backend fails the p99 ratio and is rolled back to zero', async () => {
  const [first] = replicas;
  await first!.plane.change(
    'movies',
    (s, now) =>
      applyChanges(
        s,
        { stage: 'canary', percent: 50, analysis: { enabled: true, windowSeconds: 1, minRequests: 5, maxP99Ratio: 5, maxErrorRate: 0.5, failWindows: 2, rollbackTo: 'zero' } },
        now,
      ),
    { actor: { kind: 'person', label: 'test-operator' }, action: 'set', reason: 'canary with analysis' },
  );
  faulty.fault = { kind: 'slow', ms: 300 };
  let stop = false;
  const traffic = load(
    replicas.map((r) => r.url),
    '/api/movies',
    { done: () => stop, max: 100_000, concurrency: 8 },
  );
  try {
    const rollbackEntry = async () => (await first!.plane.audit({ route: 'movies', limit: 20 })).find((e) => e.action === 'rollback');
    await eventually(async () => (await rollbackEntry()) !== undefined, 30_000, 'an automatic rollback');
    const entry = (await rollbackEntry())!;
    assert.equal(entry.actor.kind, 'analysis');
    assert.match(entry.reason, /p99_ratio [\d.]+ > 5/);
    assert.deepEqual([entry.new.stage, effectivePercent(entry.new), entry.new.paused], ['shadow', 0, true]);
    for (const r of replicas) await eventually(() => r.plane.get('movies')!.paused, 10_000, 'every replica follows the rollback');
  } finally {
    stop = true;
    await traffic;
  }
});
