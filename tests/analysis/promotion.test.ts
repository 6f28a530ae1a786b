// A run of healthy windows with autoPromote moves the route forward step by step to `migrated`,
// each step an audited change by the analysis that every replica follows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from '../support/events-stack.ts';
import { configure, setupAnalysisStack, underLoad } from './support.ts';

const ctx = setupAnalysisStack();

test('healthy windows promote canary step by step to migrated, one audited step at a time', async () => {
  const { replicas } = ctx;
  const first = replicas[0]!;
  await configure(
    first,
    {
      stage: 'canary',
      percent: 10,
      steps: [10, 50],
      analysis: { enabled: true, windowSeconds: 1, minRequests: 5, maxErrorRate: 0.2, maxP99Ratio: 50, passWindows: 2, autoPromote: true },
    },
    'canary with automatic promotion',
  );
  await underLoad(replicas, async () => {
    for (const r of replicas) await eventually(() => r.plane.get('movies')!.stage === 'migrated', 60_000, 'migrated on every replica');
  });
  const steps = (await first.plane.audit({ route: 'movies', limit: 10 })).reverse().filter((e) => e.actor.kind === 'analysis');
  assert.deepEqual(
    steps.map((e) => [e.action, e.old.percent, e.new.stage, e.new.percent]),
    [
      ['promote', 10, 'canary', 50],
      ['promote', 50, 'migrated', 100],
    ],
  );
  for (const e of steps) assert.match(e.reason, /2 consecutive passed windows/);
  // Every step waited for its own run of passes: windows under the previous step do not count.
  const verdicts = await first.analysis.reporter.report('movies', 100);
  for (const e of steps) {
    const during = verdicts.filter((v) => Date.parse(v.windowStart) >= Date.parse(e.old.updatedAt) && Date.parse(v.windowStart) < Date.parse(e.new.updatedAt));
    assert.ok(during.filter((v) => v.verdict === 'pass').length >= 2, `two passes before the step to ${e.new.percent} %`);
  }
});
