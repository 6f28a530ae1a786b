// The analysis loop with an injected clock, requests fed straight to the counters of two replicas:
// verdicts over both replicas' rows, a run of passes promotes, a run of fails rolls back (and
// pauses), passes after that move nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { createAnalysis, type Analysis } from '../../services/gateway/src/analysis/analysis.ts';
import { windowStartOf } from '../../services/gateway/src/analysis/window.ts';
import { startControlPlane, type LiveControlPlane } from '../../services/gateway/src/control/plane.ts';
import { createStateStore } from '../../services/gateway/src/control/store/state-store.ts';
import { applyChanges } from '../../services/gateway/src/control/state.ts';
import { gatewayMetrics } from '../../services/gateway/src/metrics.ts';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { quietLogger } from '../support/stack.ts';
import { migrateGateway, moviesTable } from './support.ts';

let db: TestDatabase;
let plane: LiveControlPlane;
let leader: Analysis;
let other: Analysis;
const table = moviesTable('http://127.0.0.1:9', 'http://127.0.0.1:10');
const route = () => table.routes.find((r) => r.name === 'movies')!;
let now = 0;
const clock = () => now;

before(async () => {
  db = await freshDatabase({ seed: false });
  await migrateGateway(db.database);
  const logger = quietLogger();
  plane = await startControlPlane({
    table,
    store: await createStateStore(db.database, logger),
    metrics: gatewayMetrics(new Registry(), () => []),
    logger,
    refreshMs: 60_000,
  });
  const deps = { database: db.database, logger: quietLogger(), now: clock, intervalMs: 3_600_000, graceMs: 0 };
  leader = createAnalysis({ ...deps, replicaId: 'a', metrics: gatewayMetrics(new Registry(), () => []) });
  other = createAnalysis({ ...deps, replicaId: 'b', metrics: gatewayMetrics(new Registry(), () => []) });
  leader.start(plane); // the other one only counts and flushes (tick without a plane)
  await plane.change(
    'movies',
    (s, at) =>
      applyChanges(
        s,
        {
          stage: 'canary',
          percent: 25,
          analysis: {
            enabled: true,
            windowSeconds: 10,
            minRequests: 10,
            maxErrorRate: 0.1,
            failWindows: 2,
            passWindows: 2,
            autoPromote: true,
            rollbackTo: 'previous',
          },
        },
        at,
      ),
    { actor: { kind: 'person', label: 'test' }, action: 'set', reason: 'canary' },
  );
  // The next window of the wall clock: it starts after the change the plane has just stamped.
  now = windowStartOf(Date.now(), 10) + 10_000;
});

after(async () => {
  await leader?.close();
  await other?.close();
  await plane?.close();
  await db?.drop();
});

/** One window: each replica sees `n` requests to each backend, `errors` of the new backend's failing. */
async function window(n: number, errors = 0): Promise<void> {
  for (const [i, analysis] of [leader, other].entries()) {
    for (let k = 0; k < n; k++) {
      analysis.counter.finished(route(), 'monolith', 200, undefined, 0.005, 'random');
      analysis.counter.finished(route(), 'movies', k < errors && i === 0 ? 503 : 200, undefined, 0.006, 'random');
    }
  }
  now += 10_000;
  await other.tick();
  await leader.tick();
}

const latest = async () => (await leader.reporter.report('movies', 1))[0]!;

test('passes promote, fails roll back and pause, later passes move nothing; each verdict over both replicas', async () => {
  await window(3);
  assert.equal((await latest()).verdict, 'inconclusive', '6 requests to the new backend: too few');
  assert.equal((await latest()).checks[0]!.value, 6, 'both replicas counted');

  await window(10);
  assert.equal((await latest()).verdict, 'pass');
  assert.equal(plane.get('movies')!.percent, 25, 'one pass (the inconclusive window before it is none)');
  await window(10);
  assert.equal(plane.get('movies')!.percent, 50, 'two passes in a row: one step forward');

  await window(10, 5); // 5 of 20 failed: 25 %
  const failed = await latest();
  assert.equal(failed.verdict, 'fail');
  assert.deepEqual(
    failed.checks.find((c) => c.name === 'error_rate'),
    { name: 'error_rate', value: 0.25, threshold: 0.1, ok: false },
  );
  assert.equal(plane.get('movies')!.percent, 50, 'one failed window is not enough');
  await window(2); // inconclusive: neither ends nor extends the run
  await window(10, 5);
  const state = plane.get('movies')!;
  assert.deepEqual([state.stage, state.percent, state.paused], ['canary', 25, true]);
  const [entry] = await plane.audit({ route: 'movies', limit: 1 });
  assert.deepEqual([entry!.action, entry!.actor.kind], ['rollback', 'analysis']);
  assert.match(entry!.reason, /^analysis: 2 consecutive failed windows \(error_rate 0\.25 > 0\.1\)$/);

  for (let i = 0; i < 4; i++) await window(10);
  assert.equal((await latest()).verdict, 'pass');
  assert.equal(plane.get('movies')!.version, state.version, 'paused: no step forward after the rollback');
});
