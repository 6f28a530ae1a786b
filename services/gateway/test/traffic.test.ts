// The console's live traffic: per-second differences of the proxy's own Prometheus counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { quantileMs, startTrafficSampler } from '../src/admin/traffic.ts';
import { gatewayMetrics } from '../src/metrics.ts';

test('quantiles are interpolated within their bucket, as histogram_quantile does', () => {
  // 10 answers in (0, 1 ms], 10 in (1, 5 ms]: the median is the first bucket's top, p99 near 5 ms.
  const buckets: [number, number][] = [
    [0.001, 10],
    [0.005, 20],
    [Infinity, 20],
  ];
  assert.equal(quantileMs(0.5, buckets), 1);
  assert.ok(Math.abs(quantileMs(0.99, buckets)! - 4.92) < 1e-9);
  assert.equal(
    quantileMs(0.5, [
      [0.001, 0],
      [Infinity, 0],
    ]),
    null,
    'no requests: no latency',
  );
  // Beyond the last finite bound only that bound is known.
  assert.equal(
    quantileMs(0.99, [
      [0.001, 1],
      [Infinity, 10],
    ]),
    1,
  );
});

test('each point is the difference since the last reading: requests/s, 5xx share, p50/p99', async () => {
  const metrics = gatewayMetrics(new Registry(), () => []);
  let clock = 1_000_000;
  const breaker = { state: () => 'open' as const };
  const limiter = { active: () => 2, pending: () => 1 };
  const sampler = startTrafficSampler({ metrics, backends: () => [{ name: 'movies', breaker, limiter }], intervalMs: 60_000, keep: 2, now: () => clock });
  try {
    const answer = (status: string, seconds: number) => {
      metrics.requests.inc({ route: 'movies', backend: 'movies', status_class: status, reason: 'bucket' });
      metrics.duration.observe({ route: 'movies', backend: 'movies' }, seconds);
    };
    for (let i = 0; i < 8; i++) answer('2xx', 0.002);
    for (let i = 0; i < 2; i++) answer('5xx', 0.2);
    clock += 2000;
    await sampler.sample();
    let [series] = sampler.view().series;
    assert.deepEqual({ route: series!.route, backend: series!.backend }, { route: 'movies', backend: 'movies' });
    const first = series!.points.at(-1)!;
    assert.equal(first.rps, 5, '10 requests in 2 s');
    assert.equal(first.errorRate, 0.2);
    assert.ok(first.p50Ms! > 1 && first.p50Ms! <= 2.5, `p50 ${first.p50Ms}`);
    assert.ok(first.p99Ms! > 100 && first.p99Ms! <= 250, `p99 ${first.p99Ms}`);

    // Nothing since: a quiet point, not the totals again.
    clock += 1000;
    await sampler.sample();
    [series] = sampler.view().series;
    assert.deepEqual(series!.points.at(-1), { at: new Date(clock).toISOString(), rps: 0, errorRate: null, p50Ms: null, p99Ms: null });
    assert.equal(series!.points.length, 2, 'only `keep` points are kept');
    // A poller asks only for what is new since the last point it holds.
    const view = sampler.view(first.at);
    assert.equal(view.keep, 2);
    assert.deepEqual(
      view.series[0]!.points.map((p) => p.at),
      [new Date(clock).toISOString()],
    );
    assert.deepEqual(sampler.view(new Date(clock).toISOString()).series[0]!.points, []);
    assert.deepEqual(sampler.view().backends, [{ name: 'movies', breaker: 'open', active: 2, pending: 1 }]);
  } finally {
    sampler.close();
  }
});
