// End to end against a running distributed deployment, through its gateway: separate processes
// (scripts/distributed.sh), docker compose (the CI workflow), or a cluster. E2E_GATEWAY_URL names
// the gateway; the suite fails, never skips, without it. Assertions are relative, so a deployment
// that already has data passes too.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { call } from '../support/stack.ts';

const base = process.env['E2E_GATEWAY_URL'];
if (!base) throw new Error('E2E_GATEWAY_URL is not set: point it at a running gateway (e.g. bash scripts/distributed.sh start)');
const url = (path: string) => `${base}${path}`;
const unique = randomUUID().slice(0, 8);

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  await eventually(async () => ((await call('GET', url('/api/events/ready'))).status === 200 ? true : undefined), 'events ready', 60_000);
});

describe(`distributed deployment at ${base}`, () => {
  test('gateway health', async () => {
    const res = await fetch(url('/health'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Strangler Fig Proxy is healthy');
  });

  test('the viewer web app is served at / with its script, and the movie list counts its matches', async () => {
    const page = await fetch(url('/'), { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<div id="root">/);
    const script = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, 'index.html names its script');
    const js = await fetch(url(script));
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const page2 = await call('GET', url('/api/movies?limit=2'));
    assert.ok(Number(page2.headers.get('x-total-count')) >= 5);
    assert.equal(page2.body.length, 2);
  });

  test('catalogue and sample data are served through the gateway', async () => {
    const movies = await call('GET', url('/api/movies'));
    assert.equal(movies.status, 200);
    assert.ok(movies.body.length >= 5);
    assert.ok(['monolith', 'movies'].includes(movies.headers.get('x-served-by') ?? ''));
    const users = await call('GET', url('/api/users'));
    assert.ok(users.body.length >= 3);
    assert.equal((await call('GET', url('/api/movies?id=1'))).body.id, 1);
  });

  test('a user created through the gateway becomes a user event consumed by the events service (outbox → Kafka → consumer)', async () => {
    const created = await call('POST', url('/api/users'), { username: `e2e-${unique}`, email: `e2e-${unique}@example.com` });
    assert.equal(created.status, 201, created.text);
    const event = await eventually(async () => {
      const recent = await call('GET', url('/api/events/recent?topic=user-events&limit=200'));
      return recent.body.find((e: { payload: { username?: string } }) => e.payload.username === `e2e-${unique}`);
    }, 'the user event');
    assert.equal(event.type, 'user');
    assert.equal(event.payload.user_id, created.body.id);
  });

  test('payments, subscriptions and movies write through the gateway', async () => {
    const payment = await call('POST', url('/api/payments'), { user_id: 1, amount: 12.5 });
    assert.equal(payment.status, 201, payment.text);
    const subscription = await call('POST', url('/api/subscriptions'), {
      user_id: 1,
      plan_type: 'premium',
      start_date: '2026-01-01',
      end_date: '2026-02-01',
    });
    assert.equal(subscription.status, 201, subscription.text);
    const movie = await call('POST', url('/api/movies'), { title: `E2E ${unique}`, description: 'e2e', genres: ['Drama'], rating: 7 });
    assert.equal(movie.status, 201, movie.text);
    assert.equal((await call('GET', url(`/api/movies?id=${movie.body.id}`))).body.title, `E2E ${unique}`);
  });

  test('an event posted to the events API is acknowledged by the broker and processed', async () => {
    const res = await call('POST', url('/api/events/movie'), { movie_id: 1, title: `e2e ${unique}`, action: 'viewed', user_id: 1 });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.status, 'success');
    const id = res.body.event.id as string;
    await eventually(async () => {
      const recent = await call('GET', url('/api/events/recent?topic=movie-events&limit=200'));
      return recent.body.find((e: { id: string }) => e.id === id);
    }, 'the movie event');
  });

  test('bad input is a 400 through the gateway, wrong paths are 404', async () => {
    assert.equal((await call('POST', url('/api/users'), '{oops')).status, 400);
    assert.equal((await call('GET', url('/api/movies?id=abc'))).status, 400);
    assert.equal((await call('GET', url('/api/definitely-not-here'))).status, 404);
  });
});
