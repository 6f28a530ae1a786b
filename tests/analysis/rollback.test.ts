// A movies service that starts failing under load is rolled back by the analysis, on every replica,
// with an audit entry naming the failed check; healthy windows afterwards move nothing forward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectivePercent } from '../../services/gateway/src/control/state.ts';
import { analysisCounts } from '../../services/gateway/src/control/store/schema.ts';
import { eventually } from '../support/events-stack.ts';
import { metricsText, sample } from '../gateway/support.ts';
import { awaitRollback, configure, setupAnalysisStack, underLoad } from './support.ts';

const ctx = setupAnalysisStack();

test('failing windows roll back to the previous step, paused, audited with the failed check, and nothing moves forward after', async () => {
  const { replicas, faulty } = ctx;
  const first = replicas[0]!;
  await configure(
    first,
    {
      stage: 'canary',
      percent: 50,
      steps: [20, 50],
      analysis: {
        enabled: true,
        windowSeconds: 1,
        minRequests: 5,
        maxErrorRate: 0.2,
        maxP99Ratio: 50,
        failWindows: 2,
        passWindows: 2,
        autoPromote: true,
        rollbackTo: 'previous',
      },
    },
    'canary with analysis',
  );
  const verdicts = () => first.analysis.reporter.report('movies', 50);
  await underLoad(replicas, async () => {
    await eventually(async () => (await verdicts()).some((v) => v.verdict === 'pass'), 30_000, 'a healthy window');

    faulty.fault = { kind: 'fail', status: 503 };
    const entry = await awaitRollback(first);
    faulty.fault = { kind: 'none' };

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
    await eventually(async () => (await passedSince()) >= 3, 30_000, 'passing windows after the rollback');
    const latest = await first.plane.audit({ route: 'movies', limit: 1 });
    assert.equal(latest[0]!.id, entry.id, 'no change after the rollback');
    for (const r of replicas) assert.equal(r.plane.get('movies')!.version, entry.new.version);
  });

  const reporting = await ctx.db.database.db.selectDistinct({ replica: analysisCounts.replica }).from(analysisCounts);
  assert.equal(reporting.length, replicas.length, 'every replica reported its counts');
  const rollbacks = await Promise.all(
    replicas.map(async (r) => sample(await metricsText(r.url), 'gateway_migration_rollbacks_total', { route: 'movies', check: 'error_rate' }) ?? 0),
  );
  assert.equal(
    rollbacks.reduce((a, b) => a + b),
    1,
    'one rollback, counted by the replica that decided it',
  );
});
