// Resilience over real HTTP against echo upstreams: per-backend concurrency caps, first-byte
// timeouts, streaming, a second migrated domain driven only by the route table, fallback, metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { metricsText, sample, singleBackendTable, sleep, startEcho, startGateway, until, type EchoServer, type RunningGateway } from './support.ts';

interface Answer {
  status: number;
  servedBy: string | null;
  body: string;
  ms: number;
  /** performance.now() when the answer was read. */
  at: number;
}

async function get(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), ...init });
  const body = await res.text();
  const at = performance.now();
  return { status: res.status, servedBy: res.headers.get('x-served-by'), body, ms: at - started, at };
}

const metricsOf = (gw: RunningGateway) => metricsText(gw.url);

describe('per-backend concurrency cap', () => {
  let echo: EchoServer;
  let gw: RunningGateway;
  before(async () => {
    echo = await startEcho('slots');
    gw = await startGateway(singleBackendTable(echo.url, { maxConcurrent: 2, maxPending: 1 }));
  });
  after(async () => {
    echo?.releaseHolds();
    await gw?.close();
    await echo?.close();
  });

  test('2 in flight + 1 pending; the 4th gets 503 at once; after release all three complete', async (t) => {
    const first = get(`${gw.url}/hold?n=1`);
    const second = get(`${gw.url}/hold?n=2`);
    await echo.waitForHeld(2);
    const third = get(`${gw.url}/hold?n=3`);
    await until('one pending request', async () => sample(await metricsOf(gw), 'gateway_backend_pending_requests', { backend: 'echo' }) === 1);
    const saturated = await metricsOf(gw);
    assert.equal(sample(saturated, 'gateway_backend_active_requests', { backend: 'echo' }), 2);

    const fourth = await get(`${gw.url}/hold?n=4`);
    t.diagnostic(`overflow 503 answered in ${fourth.ms.toFixed(1)} ms`);
    assert.equal(fourth.status, 503);
    assert.equal(fourth.servedBy, 'gateway');
    assert.match(fourth.body, /backend echo is at capacity/);
    // "At once" needs no clock: the held requests are released only below, so a queued 4th would never have answered.
    assert.equal(echo.seen.filter((s) => s.url.startsWith('/hold')).length, 2, 'the pending and the rejected request never reached the upstream');

    echo.releaseHolds();
    const done = await Promise.all([first, second, third]);
    assert.deepEqual(
      done.map((a) => [a.status, a.servedBy]),
      [
        [200, 'echo'],
        [200, 'echo'],
        [200, 'echo'],
      ],
    );
    assert.deepEqual(echo.seen.map((s) => s.url).sort(), ['/hold?n=1', '/hold?n=2', '/hold?n=3']);

    const settled = await metricsOf(gw);
    assert.equal(sample(settled, 'gateway_backend_overflow_total', { backend: 'echo' }), 1);
    assert.equal(sample(settled, 'gateway_backend_active_requests', { backend: 'echo' }), 0, 'every slot is released');
    assert.equal(sample(settled, 'gateway_backend_pending_requests', { backend: 'echo' }), 0);
  });
});

describe('total timeout', () => {
  let echo: EchoServer;
  let gw: RunningGateway;
  before(async () => {
    echo = await startEcho('held');
    gw = await startGateway(singleBackendTable(echo.url, { maxConcurrent: 1, maxPending: 1, totalTimeoutMs: 1000 }));
  });
  after(async () => {
    echo?.releaseHolds();
    await gw?.close();
    await echo?.close();
  });

  test('bounds the wait for a slot too: a queued request gets 504 with the one in flight, not after it', async (t) => {
    const first = get(`${gw.url}/hold?n=1`);
    await echo.waitForHeld(1);
    const queued = await get(`${gw.url}/hold?n=2`);
    const inFlight = await first;
    t.diagnostic(`in flight: ${inFlight.status} after ${inFlight.ms.toFixed(1)} ms; queued: ${queued.status} after ${queued.ms.toFixed(1)} ms`);
    assert.deepEqual([inFlight.status, queued.status], [504, 504]);
    assert.match(queued.body, /backend echo did not answer in time/);
    // Without the bound the queued request would get the slot only when the first gave up and then
    // wait its own 1 s after it; with it, both end about together (their starts a moment apart).
    assert.ok(queued.at - inFlight.at < 500, `queued request answered ${(queued.at - inFlight.at).toFixed(1)} ms after the one in flight`);
    await until('slots released', async () => sample(await metricsOf(gw), 'gateway_backend_active_requests', { backend: 'echo' }) === 0);
  });
});

describe('timeouts and streaming', () => {
  let echo: EchoServer;
  let gw: RunningGateway;
  before(async () => {
    echo = await startEcho('slow');
    gw = await startGateway(singleBackendTable(echo.url, { firstByteTimeoutMs: 200, totalTimeoutMs: 10_000 }));
  });
  after(async () => {
    await gw?.close();
    await echo?.close();
  });

  test('first-byte timeout: an upstream silent for 2 s → 504 after ~200 ms', async (t) => {
    const slow = await get(`${gw.url}/slow-first-byte?ms=2000`);
    t.diagnostic(`first-byte timeout 504 answered in ${slow.ms.toFixed(1)} ms`);
    assert.equal(slow.status, 504);
    assert.equal(slow.servedBy, 'gateway');
    assert.match(slow.body, /backend echo did not answer in time/);
    // A lower bound only: on a busy machine the answer may come late, but never before the timeout
    // (and a 504 from the gateway itself says it did not wait for the upstream's 200).
    assert.ok(slow.ms >= 180, `not before the timeout (${slow.ms.toFixed(1)} ms)`);
    // Within the limit still works, and the timed-out request released its slot.
    const quick = await get(`${gw.url}/slow-first-byte?ms=50`);
    assert.equal(quick.status, 200);
    assert.equal(quick.servedBy, 'echo');
    assert.equal(sample(await metricsOf(gw), 'gateway_backend_active_requests', { backend: 'echo' }), 0);
  });

  test('responses stream: the first chunk arrives long before the upstream sends the last', async (t) => {
    const started = performance.now();
    const res = await fetch(`${gw.url}/stream?chunks=5&bytes=1024&gapMs=300`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-served-by'), 'echo');
    assert.ok(res.body);
    const reader = res.body.getReader();
    let firstAt: number | undefined;
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length > 0 && firstAt === undefined) firstAt = performance.now() - started;
      bytes += value.length;
    }
    const total = performance.now() - started;
    t.diagnostic(`stream: first byte after ${firstAt?.toFixed(1)} ms, end after ${total.toFixed(1)} ms`);
    assert.equal(bytes, 5 * 1024);
    assert.ok(firstAt !== undefined);
    assert.ok(total >= 1150, `the upstream needs 4 × 300 ms to finish, took ${total.toFixed(1)} ms`);
    assert.ok(total - firstAt >= 900, 'the first chunk was not held back until the end');
  });
});

describe('client going away and slow clients', () => {
  let echo: EchoServer;
  let gw: RunningGateway;
  before(async () => {
    echo = await startEcho('streams');
    gw = await startGateway(singleBackendTable(echo.url));
  });
  after(async () => {
    await gw?.close();
    await echo?.close();
  });

  test('a client that leaves mid-answer: the upstream request is cut and its slot released', async () => {
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/stream?chunks=20&bytes=1024&gapMs=200`, { signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await until('the upstream sees the request aborted', () => echo.seen.some((s) => s.url.startsWith('/stream') && s.aborted), 2000);
    await until('slot released', async () => sample(await metricsOf(gw), 'gateway_backend_active_requests', { backend: 'echo' }) === 0, 2000);
  });

  test('a large answer to a slow reader arrives whole (backpressure, not buffering)', async () => {
    const res = await fetch(`${gw.url}/stream?chunks=64&bytes=65536&gapMs=0`, { signal: AbortSignal.timeout(20_000) });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let bytes = 0;
    let reads = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (++reads % 16 === 0) await sleep(20); // read slower than the upstream writes
    }
    assert.equal(bytes, 64 * 65536);
  });
});

describe('a second migrated domain is a route-table change', () => {
  let legacy: EchoServer;
  let payments: EchoServer;
  const opened: RunningGateway[] = [];

  before(async () => {
    legacy = await startEcho('legacy');
    payments = await startEcho('payments');
  });
  after(async () => {
    for (const gw of opened) await gw.close();
    await payments?.close();
    await legacy?.close();
  });

  const table = (migration: Record<string, unknown>, paymentsUrl?: string) => ({
    backends: { legacy: { url: legacy.url }, payments: { url: paymentsUrl ?? payments.url, connectTimeoutMs: 500 } },
    routes: [
      { name: 'payments', prefix: '/api/payments', backend: 'legacy', migration: { to: 'payments', ...migration } },
      { name: 'legacy', prefix: '/', backend: 'legacy' },
    ],
  });
  const open = async (raw: unknown) => {
    const gw = await startGateway(raw);
    opened.push(gw);
    return gw;
  };
  const servedBy = async (gw: RunningGateway, path: string, count: number, method = 'GET') => {
    const out: Array<string | null> = [];
    for (let i = 0; i < count; i++) {
      const a = await get(`${gw.url}${path}`, {
        method,
        headers: { 'x-user-id': `user-${i}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ amount: i }) } : {}),
      });
      assert.equal(a.status, 200, `${method} ${path}`);
      assert.equal(JSON.parse(a.body).server, a.servedBy, 'x-served-by names the upstream that answered');
      out.push(a.servedBy);
    }
    return out;
  };

  test('enabled at 100 %: every /api/payments request lands on payments; other paths stay on legacy', async () => {
    const gw = await open(table({ enabled: true, percent: 100, mode: 'sticky' }));
    assert.deepEqual(new Set(await servedBy(gw, '/api/payments/echo', 20)), new Set(['payments']));
    assert.deepEqual(new Set(await servedBy(gw, '/api/payments', 3, 'POST')), new Set(['payments']));
    assert.deepEqual(new Set(await servedBy(gw, '/api/paymentsx/echo', 3)), new Set(['legacy']), 'segment boundary');
    assert.deepEqual(new Set(await servedBy(gw, '/api/users/echo', 3)), new Set(['legacy']));
    const metrics = await metricsOf(gw);
    assert.equal(sample(metrics, 'gateway_migration_percent', { route: 'payments', to: 'payments' }), 100);
    assert.equal(sample(metrics, 'gateway_routing_decisions_total', { route: 'payments', backend: 'payments', reason: 'bucket' }), 23);
  });

  test('random mode at 100 % also sends everything to payments', async () => {
    const gw = await open(table({ enabled: true, percent: 100, mode: 'random' }));
    assert.deepEqual(new Set(await servedBy(gw, '/api/payments/echo', 10)), new Set(['payments']));
  });

  test('enabled=false (even at 100 %): every request lands on legacy', async () => {
    const gw = await open(table({ enabled: false, percent: 100, mode: 'sticky' }));
    assert.deepEqual(new Set(await servedBy(gw, '/api/payments/echo', 20)), new Set(['legacy']));
    assert.deepEqual(new Set(await servedBy(gw, '/api/payments', 3, 'POST')), new Set(['legacy']));
    assert.equal(sample(await metricsOf(gw), 'gateway_migration_percent', { route: 'payments', to: 'payments' }), 0);
  });

  test('fallback: a GET the new backend answers 5xx is served by the old one; a POST is never replayed', async () => {
    const gw = await open(table({ enabled: true, percent: 100, mode: 'sticky' }));
    const legacyBefore = legacy.seen.length;
    const paymentsBefore = payments.seen.length;

    const getAnswer = await get(`${gw.url}/api/payments/status/503?on=payments`, { headers: { 'x-user-id': 'u1' } });
    assert.equal(getAnswer.status, 200);
    assert.equal(getAnswer.servedBy, 'legacy');
    assert.equal(JSON.parse(getAnswer.body).server, 'legacy');
    assert.deepEqual(
      payments.seen.slice(paymentsBefore).map((s) => s.method),
      ['GET'],
      'the new backend was tried first',
    );
    assert.deepEqual(
      legacy.seen.slice(legacyBefore).map((s) => [s.method, s.url]),
      [['GET', '/api/payments/status/503?on=payments']],
    );

    const postAnswer = await get(`${gw.url}/api/payments/status/503?on=payments`, {
      method: 'POST',
      headers: { 'x-user-id': 'u1', 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 10 }),
    });
    assert.equal(postAnswer.status, 503);
    assert.equal(postAnswer.servedBy, 'payments');
    assert.equal(JSON.parse(postAnswer.body).server, 'payments');
    assert.deepEqual(
      legacy.seen.slice(legacyBefore).filter((s) => s.method === 'POST'),
      [],
      'the old backend never saw the POST',
    );
    assert.deepEqual(
      payments.seen.slice(paymentsBefore).map((s) => [s.method, s.bodyBytes]),
      [
        ['GET', 0],
        ['POST', JSON.stringify({ amount: 10 }).length],
      ],
    );

    // 5xx from the old backend itself is passed through: nothing to fall back to.
    const legacyFails = await get(`${gw.url}/api/users/status/502?on=legacy`);
    assert.equal(legacyFails.status, 502);
    assert.equal(legacyFails.servedBy, 'legacy');
  });

  test('fallback when the new backend is unreachable; fallback=false passes the failure through', async () => {
    const down = await startEcho('gone');
    const downUrl = down.url;
    await down.close();
    const withFallback = await open(table({ enabled: true, percent: 100 }, downUrl));
    const saved = await get(`${withFallback.url}/api/payments/echo`, { headers: { 'x-user-id': 'u2' } });
    assert.equal(saved.status, 200);
    assert.equal(saved.servedBy, 'legacy');

    const without = await open(table({ enabled: true, percent: 100, fallback: false }));
    const failed = await get(`${without.url}/api/payments/status/503?on=payments`, { headers: { 'x-user-id': 'u3' } });
    assert.equal(failed.status, 503);
    assert.equal(failed.servedBy, 'payments');
  });

  test('/metrics exposes requests, decisions (with the fallback), breaker state, active requests, migration percent, durations', async () => {
    const gw = await open(table({ enabled: true, percent: 100 }));
    const fallback = await get(`${gw.url}/api/payments/status/500?on=payments`, { headers: { 'x-user-id': 'm1', 'x-request-id': 'metrics-1' } });
    assert.equal(fallback.servedBy, 'legacy');
    await get(`${gw.url}/api/payments/echo`, { headers: { 'x-user-id': 'm1' } });
    const text = await metricsOf(gw);
    for (const name of [
      'gateway_requests_total',
      'gateway_routing_decisions_total',
      'gateway_breaker_state',
      'gateway_backend_active_requests',
      'gateway_migration_percent',
      'gateway_request_duration_seconds_bucket',
    ]) {
      assert.match(text, new RegExp(`^${name}\\{`, 'm'), `${name} has samples`);
    }
    assert.equal(sample(text, 'gateway_routing_decisions_total', { route: 'payments', backend: 'legacy', reason: 'fallback' }), 1);
    assert.equal(sample(text, 'gateway_requests_total', { route: 'payments', backend: 'legacy', status_class: '2xx', reason: 'fallback' }), 1);
    assert.equal(sample(text, 'gateway_routing_decisions_total', { route: 'payments', backend: 'payments', reason: 'bucket' }), 1);
    assert.equal(sample(text, 'gateway_breaker_state', { backend: 'payments' }), 0, 'one 5xx does not open the breaker');
    assert.equal(sample(text, 'gateway_breaker_state', { backend: 'legacy' }), 0);
    assert.equal(sample(text, 'gateway_backend_active_requests', { backend: 'payments' }), 0);
    assert.equal(sample(text, 'gateway_migration_percent', { route: 'payments', to: 'payments' }), 100);
    assert.equal(sample(text, 'gateway_request_duration_seconds_count', { route: 'payments', backend: 'legacy' }), 1);
    assert.equal(sample(text, 'gateway_request_duration_seconds_count', { route: 'payments', backend: 'payments' }), 1);
    assert.equal(JSON.parse(fallback.body).server, 'legacy');
    assert.equal(JSON.parse(fallback.body).headers['x-request-id'], 'metrics-1', 'the replay carries the same request id');
  });
});
