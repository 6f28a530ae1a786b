// Bad input through the gateway, on raw sockets, to the real services behind it: every case answers
// its status with a JSON error, leaks nothing and writes nothing; and a client's bad requests never
// count against a backend (every route still answers afterwards). See support.ts and cases.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRequest } from '../gateway/support.ts';
import * as bad from './cases.ts';
import { assertAtLeast, http, postJson, runCases, setupServices, type Case } from './support.ts';

const services = setupServices();

const user = { username: 'robust', email: 'robust@example.com' };
const movie = { title: 'Robust', description: 'Holds.', genres: ['Drama'], rating: 7 };
const payment = { user_id: 1, amount: 10 };
const subscription = { user_id: 1, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-02-01' };
const movieEvent = { movie_id: 7, title: 'Heat', action: 'viewed' };

/** A valid JSON body padded with spaces to `bytes`. */
const padded = (body: object, bytes: number) => {
  const buffer = Buffer.alloc(bytes, ' ');
  buffer.write(JSON.stringify(body));
  return buffer;
};

// Request targets the gateway refuses itself, before choosing an upstream.
const targets: Array<[string, string]> = [
  ['absolute-form target', 'http://evil.example/api/users'],
  ['encoded slash', '/api%2Fusers'],
  ['encoded backslash', '/api%5Cusers'],
  ['encoded NUL', '/api/users%00'],
  ['climbing above the root', '/../api/users'],
  ['dot-dot climbing above the root', '/api/../../users'],
  ['raw backslash', '/api\\users'],
  ['path parameter segment', '/api/..;/users'],
  ['bad percent escape', '/api/us%ZZers'],
];

const cases: Case[] = [
  ...bad.malformedJson('/api/subscriptions', subscription),
  ...bad.wrongTypes('/api/payments', payment),
  ...bad.mediaAndSize('/api/payments', payment),
  // Between the services' limit (1 MiB) and the gateway's (10 MiB): the client's fault, not the backend's.
  { name: 'POST /api/users: 2 MiB', request: postJson('/api/users', padded(user, 2 * 1024 * 1024)), status: 413 },
  { name: 'POST /api/events/movie: 2 MiB', request: postJson('/api/events/movie', padded(movieEvent, 2 * 1024 * 1024)), status: 413 },
  { name: 'POST /api/users: 10 MiB + 1 byte', request: postJson('/api/users', padded(user, 10 * 1024 * 1024 + 1)), status: 413 },
  ...bad.wrongMethods('/api/users', ['GET', 'POST']),
  ...bad.wrongMethods('/api/events/movie', ['POST']),
  ...bad.wrongMethods('/health', ['GET']),
  ...bad.wrongMethods('/ready', ['GET']),
  ...bad.integers('/api/payments', 'user_id'),
  ...bad.framing('/api/users', user),
  ...targets.map(([what, target]) => ({ name: `${what}: ${target}`, request: http('GET', target), status: 400 })),
  { name: 'GET /api/nothing-here (no such route on the monolith)', request: http('GET', '/api/nothing-here'), status: 404 },
  // Last: today these are 5xx from the monolith, and five of them eject it from the gateway.
  ...bad.unstorableText('/api/users', user, ['username']),
  ...bad.unstorableText('/api/movies', movie, ['title', 'genres']),
  ...bad.unstorableText('/api/subscriptions', subscription, ['plan_type']),
  ...bad.unstorableText('/api/events/movie', movieEvent, ['title']),
  { name: 'POST /api/payments: amount 1e-9', request: postJson('/api/payments', '{"user_id": 1, "amount": 1e-9}'), status: 400, error: /body\.amount/ },
  {
    name: 'POST /api/subscriptions: start_date 0050-01-01',
    request: postJson('/api/subscriptions', { ...subscription, start_date: '0050-01-01' }),
    status: 400,
    error: /body\.start_date/,
  },
];

assertAtLeast(cases, 60);
runCases(
  'the gateway refuses bad input',
  () => services.gateway,
  () => services.database,
  cases,
);

test('after all that, every backend still serves through the gateway (no client fault ejected one)', async () => {
  for (const path of ['/api/users', '/api/movies', '/api/payments', '/api/events/stats']) {
    const res = await rawRequest(services.gateway, http('GET', path));
    assert.equal(res.status, 200, `${path}: ${res.statusLine} ${res.body.slice(0, 200)}`);
  }
});
