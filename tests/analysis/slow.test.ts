// A movies service that slows down under load fails the p99 latency check: rolled back to zero
// (shadow, 0 %), paused, the audit entry naming p99_ratio.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectivePercent } from '../../services/gateway/src/control/state.ts';
import { eventually } from '../support/events-stack.ts';
import { awaitRollback, configure, setupAnalysisStack, underLoad } from './support.ts';

const ctx = setupAnalysisStack();

test('a slower new backend fails the p99 ratio and is rolled back to zero', async () => {
  const { replicas, faulty } = ctx;
  await configure(
    replicas[0]!,
    {
      stage: 'canary',
      percent: 50,
      analysis: { enabled: true, windowSeconds: 1, minRequests: 5, maxP99Ratio: 5, maxErrorRate: 0.5, failWindows: 2, rollbackTo: 'zero' },
    },
    'canary with analysis',
  );
  faulty.fault = { kind: 'slow', ms: 300 };
  const entry = await underLoad(replicas, () => awaitRollback(replicas[0]!), 8);
  assert.equal(entry.actor.kind, 'analysis');
  assert.match(entry.reason, /p99_ratio [\d.]+ > 5/);
  assert.deepEqual([entry.new.stage, effectivePercent(entry.new), entry.new.paused], ['shadow', 0, true]);
  for (const r of replicas) await eventually(() => r.plane.get('movies')!.paused, 10_000, 'every replica follows the rollback');
});
