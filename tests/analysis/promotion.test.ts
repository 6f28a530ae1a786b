// A run of healthy windows with autoPromote moves the route forward step by step to `migrated`,
// each step an audited change by the analysis that every replica follows.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyChanges } from '../../services/gateway/src/control/state.ts';
import { freshDatabase, backend, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { load, migrateGateway, moviesTable, startReplica, type Replica } from './support.ts';

let db: TestDatabase;
let stack: Stack;
const replicas: Replica[] = [];

before(async () => {
  db = await freshDatabase();
  await migrateGateway(db.database);
  stack = await startStack(db.database);
  const handles = backend() === 'postgres' ? [db.database, await db.reopen()] : [db.database];
  for (const [i, handle] of handles.entries()) replicas.push(await startReplica(handle, moviesTable(stack.monolith, stack.movies), `replica-${i}`));
});

after(async () => {
  for (const r of replicas) await r.close();
  await stack?.close();
  await db?.drop();
});

test('healthy windows promote canary step by step to migrated, one audited step at a time', async () => {
  const [first] = replicas;
  await first!.plane.change(
    'movies',
    (s, now) =>
      applyChanges(
        s,
        {
          stage: 'canary',
          percent: 10,
          steps: [10, 50],
          analysis: { enabled: true, windowSeconds: 1, minRequests: 5, maxErrorRate: 0.2, maxP99Ratio: 50, passWindows: 2, autoPromote: true },
        },
        now,
      ),
    { actor: { kind: 'person', label: 'test-operator' }, action: 'set', reason: 'canary with automatic promotion' },
  );
  let stop = false;
  const traffic = load(
    replicas.map((r) => r.url),
    '/api/movies',
    { done: () => stop, max: 200_000 },
  );
  try {
    for (const r of replicas) await eventually(() => r.plane.get('movies')!.stage === 'migrated', 60_000, 'migrated on every replica');
  } finally {
    stop = true;
    await traffic;
  }
  const steps = (await first!.plane.audit({ route: 'movies', limit: 10 })).reverse().filter((e) => e.actor.kind === 'analysis');
  assert.deepEqual(
    steps.map((e) => [e.action, e.old.percent, e.new.stage, e.new.percent]),
    [
      ['promote', 10, 'canary', 50],
      ['promote', 50, 'migrated', 100],
    ],
  );
  for (const e of steps) assert.match(e.reason, /2 consecutive passed windows/);
  // Every step waited for its own run of passes: windows under the previous step do not count.
  const verdicts = await first!.analysis.reporter.report('movies', 100);
  for (const e of steps) {
    const before = verdicts.filter((v) => Date.parse(v.windowStart) >= Date.parse(e.old.updatedAt) && Date.parse(v.windowStart) < Date.parse(e.new.updatedAt));
    assert.ok(before.filter((v) => v.verdict === 'pass').length >= 2, `two passes before the step to ${e.new.percent} %`);
  }
});
