// What the admin API adds for the console: who a token is, live traffic, the events service relayed
// (a down one is a 503, a viewer cannot replay), and the console's files served without a token.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventsAdmin } from '../../services/gateway/src/admin/events.ts';
import { TOKENS, call, startAdmin, type AdminUnderTest } from './support.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A stand-in events service: its four read endpoints and replay, recording what was asked. */
let events: Server;
let eventsUrl: string;
const asked: string[] = [];
const ANSWERS: Record<string, unknown> = {
  '/api/events/stats': { processed: { 'user-events': { user: 2 } }, total: 2, duplicates_skipped: 0 },
  '/api/events/recent?limit=20': [],
  '/admin/consumer': {
    partitions: [{ topic: 'user-events', partition: 0, position: 2, end: 5, lag: 3, stuck: false }],
    dead_letters: { pending: 1, replayed: 0 },
  },
  '/admin/dead-letters?state=pending&limit=100': [],
  '/admin/dead-letters/replay?id=7': { replayed: [{ id: 7, topic: 'user-events', partition: 0, offset: 9 }] },
};
let admin: AdminUnderTest;
let down: AdminUnderTest;
let consoleRoot: string;

before(async () => {
  events = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const answer = ANSWERS[req.url ?? ''];
    res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer ?? { error: 'dead letter not found' }));
  });
  events.listen(0, '127.0.0.1');
  await once(events, 'listening');
  eventsUrl = `http://127.0.0.1:${(events.address() as { port: number }).port}`;
  consoleRoot = await mkdtemp(join(tmpdir(), 'console-'));
  await mkdir(join(consoleRoot, 'assets'));
  await writeFile(join(consoleRoot, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(consoleRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  admin = await startAdmin({ events: eventsAdmin(eventsUrl), consoleRoot });
  // Port 1 on loopback: nothing listens, connections are refused.
  down = await startAdmin({ events: eventsAdmin('http://127.0.0.1:1'), consoleRoot: join(consoleRoot, 'missing') });
});
after(async () => {
  await Promise.all([admin?.close(), down?.close()]);
  events?.close();
  await rm(consoleRoot, { recursive: true, force: true });
});

test('whoami names the token’s label and role; no token is 401', async () => {
  assert.deepEqual((await call(admin.url, 'GET', '/admin/whoami', { token: TOKENS.viewer })).json, { label: 'victor', role: 'viewer' });
  assert.deepEqual((await call(admin.url, 'GET', '/admin/whoami', { token: TOKENS.alice })).json, { label: 'alice', role: 'operator' });
  assert.equal((await call(admin.url, 'GET', '/admin/whoami')).status, 401);
});

test('traffic is read with a viewer token, never without one', async () => {
  const res = await call(admin.url, 'GET', '/admin/traffic', { token: TOKENS.viewer });
  assert.equal(res.status, 200);
  assert.equal(res.json.series[0].points[0].p99Ms, 9);
  assert.equal(res.json.backends[0].breaker, 'open');
  assert.equal((await call(admin.url, 'GET', '/admin/traffic?since=2026-01-01T00:00:00.000Z', { token: TOKENS.viewer })).status, 200);
  assert.equal((await call(admin.url, 'GET', '/admin/traffic?since=yesterday', { token: TOKENS.viewer })).status, 400);
  assert.equal((await call(admin.url, 'GET', '/admin/traffic')).status, 401);
});

test('the events view combines the events service’s counts, latest events, consumer and dead letters', async () => {
  asked.length = 0;
  const res = await call(admin.url, 'GET', '/admin/events', { token: TOKENS.viewer });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.stats.total, 2);
  assert.equal(res.json.consumer.partitions[0].lag, 3);
  assert.deepEqual(res.json.deadLetters, []);
  assert.deepEqual(asked.sort(), [
    'GET /admin/consumer',
    'GET /admin/dead-letters?state=pending&limit=100',
    'GET /api/events/recent?limit=20',
    'GET /api/events/stats',
  ]);
});

test('a replay needs an operator and a reason; the events service’s 404 is passed on', async () => {
  asked.length = 0;
  assert.equal((await call(admin.url, 'POST', '/admin/events/replay', { token: TOKENS.viewer, body: { id: 7, reason: 'fixed' } })).status, 403);
  assert.equal((await call(admin.url, 'POST', '/admin/events/replay', { token: TOKENS.alice, body: { id: 7 } })).status, 400);
  assert.equal((await call(admin.url, 'POST', '/admin/events/replay', { token: TOKENS.alice, body: { id: 7, reason: ' ' } })).status, 400);
  assert.deepEqual(asked, [], 'nothing refused reached the events service');
  const res = await call(admin.url, 'POST', '/admin/events/replay', { token: TOKENS.alice, body: { id: 7, reason: 'the producer is fixed' } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.replayed, [{ id: 7, topic: 'user-events', partition: 0, offset: 9 }]);
  const missing = await call(admin.url, 'POST', '/admin/events/replay', { token: TOKENS.alice, body: { id: 8, reason: 'again' } });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), JSON_TYPE);
});

test('an events service that cannot be reached is a 503 JSON answer, never a false success', async () => {
  for (const [method, path, body] of [
    ['GET', '/admin/events', undefined],
    ['POST', '/admin/events/replay', { reason: 'all of them' }],
  ] as const) {
    const res = await call(down.url, method, path, { token: TOKENS.alice, body });
    assert.equal(res.status, 503, `${method} ${path}`);
    assert.equal(res.headers.get('content-type'), JSON_TYPE);
    assert.match(res.json.error, /events service is unreachable/);
  }
});

test('the console’s files need no token; index.html is never cached, hashed assets always; the API still needs one', async () => {
  const page = await fetch(`${admin.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
  assert.match(await page.text(), /<title>console<\/title>/);
  const asset = await fetch(`${admin.url}/assets/app-1234.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(await asset.text(), 'console.log(1)');
  const missing = await call(admin.url, 'GET', '/assets/nothing.js');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), JSON_TYPE);
  assert.equal((await call(admin.url, 'GET', '/admin/routes')).status, 401);
  // Without a build, `/` says so instead of a blank page.
  const unbuilt = await call(down.url, 'GET', '/');
  assert.equal(unbuilt.status, 503);
  assert.match(unbuilt.json.error, /console is not built/);
});

test('the OpenAPI document lists the console’s endpoints', async () => {
  const doc = (await call(admin.url, 'GET', '/admin/openapi.json')).json;
  for (const path of ['/admin/whoami', '/admin/traffic', '/admin/events', '/admin/events/replay']) assert.ok(doc.paths[path], path);
  assert.ok(doc.paths['/admin/events'].get.responses['503']);
  assert.equal(doc.paths['/'], undefined, 'the console’s files are not API paths');
});
