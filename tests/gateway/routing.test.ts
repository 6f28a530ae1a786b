// The gateway in front of the real services (monolith, movies, events) over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildEventsApp, eventsMigrations } from '@cinemaabyss/events';
import { migrate } from '@cinemaabyss/db';
import { ALL_TOPICS } from '@cinemaabyss/api';
import { embeddedBusMigrations, openEmbeddedBus, type EventBus } from '@cinemaabyss/event-bus';
import { buildGateway, signOverride, tableFromEnv, validateRouteTable, OVERRIDE_HEADER, loadGatewayConfig } from '@cinemaabyss/gateway';
import { listen, type App } from '@cinemaabyss/http';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { breakerState, JSON_UTF8, rawRequest } from './support.ts';
import { call, quietLogger, startStack, type Stack } from '../support/stack.ts';

let db: TestDatabase;
let stack: Stack;
let bus: EventBus;
let eventsApp: App;
let events: string;
const secret = 'test-secret-0123456789';

before(async () => {
  db = await freshDatabase();
  await migrate(db.database, eventsMigrations);
  await migrate(db.database, embeddedBusMigrations);
  stack = await startStack(db.database);
  bus = await openEmbeddedBus(db.database);
  await bus.ensureTopics(ALL_TOPICS);
  eventsApp = (await buildEventsApp({ database: db.database, bus, logger: quietLogger() })).app;
  events = await listen(eventsApp, 0, '127.0.0.1');
});
after(async () => {
  await eventsApp?.close();
  await bus?.close();
  await stack?.close();
  await db?.drop();
});

interface GatewayOptions {
  migration?: boolean;
  percent?: number;
  mode?: 'sticky' | 'random';
  monolith?: string;
  movies?: string;
  now?: () => number;
  random?: () => number;
  /** Edits the route table before it is validated. */
  table?: (raw: { backends: Record<string, Record<string, unknown>>; routes: Record<string, unknown>[] }) => void;
}

async function gateway(o: GatewayOptions = {}) {
  const config = loadGatewayConfig({
    MONOLITH_URL: o.monolith ?? stack.monolith,
    MOVIES_SERVICE_URL: o.movies ?? stack.movies,
    EVENTS_SERVICE_URL: events,
    GRADUAL_MIGRATION: String(o.migration ?? false),
    MOVIES_MIGRATION_PERCENT: String(o.percent ?? 0),
    MIGRATION_MODE: o.mode ?? 'sticky',
  });
  const raw = tableFromEnv(config) as Parameters<NonNullable<GatewayOptions['table']>>[0];
  // Short ejections so the breaker test runs in bounded time (the clock is injected anyway).
  raw.backends['movies'] = { ...raw.backends['movies'], consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 10_000, connectTimeoutMs: 500 };
  raw.backends['monolith'] = { ...raw.backends['monolith'], connectTimeoutMs: 500 };
  o.table?.(raw);
  const { app } = await buildGateway({
    table: validateRouteTable(raw),
    logger: quietLogger(),
    overrideSecret: secret,
    ...(o.now ? { now: o.now } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  const url = await listen(app, 0, '127.0.0.1');
  return { url, close: () => app.close() };
}

const servedBy = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).headers.get('x-served-by');

describe('routing through the gateway', { timeout: 60_000 }, () => {
  test('every API route answers through the gateway, from the right backend', async () => {
    const gw = await gateway();
    try {
      const health = await fetch(`${gw.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'Strangler Fig Proxy is healthy');
      const cases: [string, string, unknown, number, string][] = [
        ['GET', '/api/users', undefined, 200, 'monolith'],
        ['GET', '/api/users?id=1', undefined, 200, 'monolith'],
        ['POST', '/api/users', { username: 'viagw', email: 'viagw@example.com' }, 201, 'monolith'],
        ['GET', '/api/movies', undefined, 200, 'monolith'],
        ['GET', '/api/movies?id=1', undefined, 200, 'monolith'],
        ['POST', '/api/movies', { title: 'Via gateway', description: '', rating: 5 }, 201, 'monolith'],
        ['GET', '/api/payments?user_id=1', undefined, 200, 'monolith'],
        ['POST', '/api/payments', { user_id: 1, amount: 3 }, 201, 'monolith'],
        ['GET', '/api/subscriptions', undefined, 200, 'monolith'],
        ['POST', '/api/subscriptions', { user_id: 1, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-01-02' }, 201, 'monolith'],
        ['POST', '/api/events/movie', { movie_id: 1, title: 'x', action: 'viewed' }, 201, 'events'],
        ['GET', '/api/events/health', undefined, 200, 'events'],
        ['GET', '/api/movies/health', undefined, 200, 'monolith'],
        ['POST', '/api/users', { username: 42 }, 400, 'monolith'],
        ['GET', '/api/nothing', undefined, 404, 'monolith'],
      ];
      for (const [method, path, body, status, backend] of cases) {
        const res = await call(method, `${gw.url}${path}`, body);
        assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
        assert.equal(res.headers.get('x-served-by'), backend, `${method} ${path}`);
        assert.ok(res.headers.get('x-request-id'));
      }
    } finally {
      await gw.close();
    }
  });

  test('GRADUAL_MIGRATION=false, or true at 0%: all movie traffic to the monolith; 100%: all to movies', async () => {
    for (const [migration, percent, expected] of [
      [false, 100, 'monolith'],
      [true, 0, 'monolith'],
      [true, 100, 'movies'],
    ] as const) {
      const gw = await gateway({ migration, percent });
      try {
        for (let user = 1; user <= 30; user++) {
          assert.equal(await servedBy(`${gw.url}/api/movies?id=1`, { 'x-user-id': String(user) }), expected);
        }
        assert.equal(await servedBy(`${gw.url}/api/users`), 'monolith', 'other routes unaffected');
      } finally {
        await gw.close();
      }
    }
  });

  test('50%: about half of the users go to movies, each user always to the same backend', async () => {
    const gw = await gateway({ migration: true, percent: 50 });
    try {
      const first = new Map<number, string | null>();
      for (let user = 1; user <= 200; user++) first.set(user, await servedBy(`${gw.url}/api/movies`, { 'x-user-id': String(user) }));
      const toMovies = [...first.values()].filter((b) => b === 'movies').length;
      assert.ok(toMovies > 70 && toMovies < 130, `${toMovies}/200 on movies`);
      for (let user = 1; user <= 200; user += 7) {
        assert.equal(await servedBy(`${gw.url}/api/movies?id=2`, { 'x-user-id': String(user) }), first.get(user), `user ${user} is sticky`);
      }
      // Without a user id the gateway sets a cookie; sending it back keeps the backend.
      const res = await fetch(`${gw.url}/api/movies?id=1`);
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      for (let i = 0; i < 5; i++) assert.equal(await servedBy(`${gw.url}/api/movies?id=1`, { cookie }), res.headers.get('x-served-by'));
    } finally {
      await gw.close();
    }
  });

  test('random mode splits per request', async () => {
    let flip = 0;
    const gw = await gateway({ migration: true, percent: 50, mode: 'random', random: () => (flip++ % 2 === 0 ? 0.1 : 0.9) });
    try {
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push(await servedBy(`${gw.url}/api/movies`, { 'x-user-id': '1' }));
      assert.deepEqual(seen, ['movies', 'monolith', 'movies', 'monolith']);
    } finally {
      await gw.close();
    }
  });

  test('a signed override header forces a backend; an unsigned one is ignored', async () => {
    const gw = await gateway({ migration: true, percent: 0 });
    try {
      const token = signOverride('movies', Math.floor(Date.now() / 1000) + 60, secret);
      assert.equal(await servedBy(`${gw.url}/api/movies`, { [OVERRIDE_HEADER]: token }), 'movies');
      assert.equal(await servedBy(`${gw.url}/api/movies`, { [OVERRIDE_HEADER]: 'movies' }), 'monolith');
      assert.equal(await servedBy(`${gw.url}/api/movies`, { [OVERRIDE_HEADER]: signOverride('movies', 1, secret) }), 'monolith');
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /gateway_routing_decisions_total\{route="movies",backend="movies",reason="override"/);
    } finally {
      await gw.close();
    }
  });
});

describe('resilience with the real movies service', { timeout: 60_000 }, () => {
  test('movies stopped: GETs fall back to the monolith, POSTs are not replayed; breaker opens, half-opens and closes', async () => {
    let clock = 1_000_000;
    const moviesPort = Number(new URL(stack.movies).port);
    const gw = await gateway({ migration: true, percent: 100, now: () => clock });
    let movies: App = stack.apps[1]!;
    try {
      assert.equal(await servedBy(`${gw.url}/api/movies?id=1`), 'movies');
      await movies.close();

      const res = await call('GET', `${gw.url}/api/movies?id=1`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-served-by'), 'monolith', 'fallback');
      assert.equal(res.body.title, 'The Shawshank Redemption');

      const before = (await call('GET', `${stack.monolith}/api/movies`)).body.length;
      const post = await call('POST', `${gw.url}/api/movies`, { title: 'Not replayed', description: '', rating: 1 });
      assert.equal(post.status, 502, post.text);
      assert.equal(typeof post.body.error, 'string');
      assert.equal((await call('GET', `${stack.monolith}/api/movies`)).body.length, before, 'the monolith got no POST');

      // Two more failures reach consecutiveFailures (3): the breaker opens, movies is no longer tried.
      await call('GET', `${gw.url}/api/movies?id=1`);
      await call('GET', `${gw.url}/api/movies?id=1`);
      const metricsText = async () => (await fetch(`${gw.url}/metrics`)).text();
      assert.match(await metricsText(), /gateway_breaker_state\{backend="movies"[^}]*\} 2/);
      const ejected = await call('GET', `${gw.url}/api/movies?id=2`);
      assert.equal(ejected.headers.get('x-served-by'), 'monolith');
      assert.match(await metricsText(), /reason="breaker"/);

      // The ejection time passes: half-open; the service is back, the probe succeeds, the breaker closes.
      movies = await buildMoviesApp({ database: db.database, logger: quietLogger() });
      await listen(movies, moviesPort, '127.0.0.1');
      clock += 1000;
      assert.equal(await servedBy(`${gw.url}/api/movies?id=3`), 'movies', 'probe served by movies');
      assert.match(await metricsText(), /gateway_breaker_state\{backend="movies"[^}]*\} 0/);
      assert.equal(await servedBy(`${gw.url}/api/movies?id=3`), 'movies');
    } finally {
      stack.apps[1] = movies;
      await gw.close();
    }
  });

  test('the monolith down entirely: a quick 502 JSON error, never a hang', async () => {
    const gw = await gateway({ monolith: 'http://127.0.0.1:1' });
    try {
      // How quick is bench's business; a hang would hit the test's own timeout.
      const res = await call('GET', `${gw.url}/api/users`);
      assert.equal(res.status, 502);
      assert.match(res.body.error, /monolith/);
    } finally {
      await gw.close();
    }
  });
});

describe('oversized bodies and the real monolith', { timeout: 60_000 }, () => {
  const MiB = 1024 * 1024;
  const REPEAT = 7; // more than the breaker's 5 consecutive failures
  const postUsers = (port: number, bytes: number) =>
    rawRequest(port, [`POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`, ' '.repeat(bytes)], {
      timeoutMs: 20_000,
    });
  const chunk = (n: number) => `${n.toString(16)}\r\n${' '.repeat(n)}\r\n`;
  const users = async () => ((await call('GET', `${stack.monolith}/api/users`)).body as unknown[]).length;

  test(`${REPEAT} bodies over the monolith's 1 MiB, declared or streamed: 413 from the gateway, the monolith stays in service`, async () => {
    const gw = await gateway();
    const port = Number(new URL(gw.url).port);
    try {
      const before = await users();
      for (let i = 0; i < REPEAT; i++) {
        const declared = await postUsers(port, 2 * MiB);
        assert.equal(declared.status, 413, declared.body);
        assert.equal(declared.headers['content-type'], JSON_UTF8);
        assert.equal(declared.headers['x-served-by'], 'gateway');
        assert.deepEqual(JSON.parse(declared.body), { error: `request body is larger than ${MiB} bytes` });
        const streamed = await rawRequest(
          port,
          [
            `POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
            chunk(MiB / 2),
            chunk(MiB / 2),
            chunk(MiB / 2),
            '0\r\n\r\n',
          ],
          { gapMs: 10, timeoutMs: 20_000 },
        );
        assert.equal(streamed.status, 413, streamed.body);
        assert.equal(streamed.headers['x-served-by'], 'gateway');
      }
      assert.equal(await breakerState(gw.url, 'monolith'), 0);
      // Exactly at the limit, the body reaches the monolith (which finds no JSON object in it).
      const atLimit = await postUsers(port, MiB);
      assert.equal(atLimit.headers['x-served-by'], 'monolith');
      assert.equal(atLimit.status, 400, atLimit.body);
      assert.equal(await users(), before, 'nothing was written');
      const later = await call('GET', `${gw.url}/api/users`);
      assert.equal(later.status, 200);
      assert.equal(later.headers.get('x-served-by'), 'monolith');
    } finally {
      await gw.close();
    }
  });

  test('a route limit set above what the monolith accepts: its refusals still never eject it', async () => {
    const gw = await gateway({ table: (raw) => raw.routes.push({ name: 'users', prefix: '/api/users', backend: 'monolith', maxBodyBytes: 4 * MiB }) });
    const port = Number(new URL(gw.url).port);
    try {
      for (let i = 0; i < REPEAT; i++) {
        const r = await postUsers(port, 2 * MiB);
        // The monolith's own refusal when it reaches the gateway in time, else the gateway's 502.
        const from = r.headers['x-served-by'];
        assert.ok(
          (from === 'monolith' && r.status >= 400 && r.status < 500) || (from === 'gateway' && r.status === 502),
          `${r.status} from ${from}: ${r.body}`,
        );
      }
      assert.equal(await breakerState(gw.url, 'monolith'), 0);
      const later = await call('GET', `${gw.url}/api/users`);
      assert.equal(later.status, 200);
      assert.equal(later.headers.get('x-served-by'), 'monolith');
    } finally {
      await gw.close();
    }
  });
});
