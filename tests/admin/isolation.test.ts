// The admin API is never reachable through the public port: there `/admin/...` is proxied like any
// path; the admin app answers on its own port only, and stays closed without tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '@cinemaabyss/logging';
import { startAdminServer } from '../../services/gateway/src/admin/app.ts';
import { singleBackendTable, startEcho, startGateway, type EchoServer, type RunningGateway } from '../gateway/support.ts';
import { MemoryPlane, TOKENS, TOKENS_ENV, analysisReport, call, eventsDown, movies, shadowReport, trafficView } from './support.ts';

let echo: EchoServer;
let gateway: RunningGateway;
before(async () => {
  echo = await startEcho('upstream');
  gateway = await startGateway(singleBackendTable(echo.url));
});
after(async () => {
  await gateway.close();
  await echo.close();
});

const logger = createLogger('admin-test', { level: 'silent' });
const deps = () => ({
  plane: new MemoryPlane([movies()]),
  shadow: shadowReport,
  analysis: analysisReport,
  backends: new Map(),
  traffic: trafficView,
  events: eventsDown,
  logger,
});

test('/admin/... on the public port is proxied to the backend, token and all, never answered by the admin API', async () => {
  const wired = deps();
  const admin = await startAdminServer({ ...wired, tokens: TOKENS_ENV, port: 0, host: '127.0.0.1' });
  assert.ok(admin);
  try {
    for (const [method, path] of [
      ['GET', '/admin/routes'],
      ['GET', '/admin/health'],
      ['GET', '/admin/openapi.json'],
      ['POST', '/admin/routes/movies/kill'],
    ]) {
      const res = await call(gateway.url, method!, path!, { token: TOKENS.alice, ...(method === 'POST' ? { body: { reason: 'x' } } : {}) });
      assert.equal(res.status, 200, `${method} ${path}`);
      assert.equal(res.headers.get('x-echo-server'), 'upstream', `${method} ${path} reached the backend`);
      assert.equal(res.json.url, path);
    }
    assert.equal(wired.plane.entries.length, 0, 'the kill never reached the control plane');
    assert.equal(wired.plane.get('movies')!.killed, false);
    // The admin app's one listening socket is its own port, not the gateway's.
    const port = Number(new URL(admin.url).port);
    assert.notEqual(port, gateway.port);
    assert.equal((admin.app.server.address() as { port: number }).port, port);
    assert.equal((await call(admin.url, 'GET', '/admin/routes', { token: TOKENS.viewer })).status, 200);
    // …and the gateway's own paths are not there.
    assert.equal((await call(admin.url, 'GET', '/api/movies')).status, 404);
  } finally {
    await admin.app.close();
  }
});

test('without tokens the admin API is not opened; invalid tokens refuse to start', async () => {
  assert.equal(await startAdminServer({ ...deps(), tokens: undefined, port: 0, host: '127.0.0.1' }), undefined);
  await assert.rejects(startAdminServer({ ...deps(), tokens: 'alice:operator:short', port: 0, host: '127.0.0.1' }), /at least 24 characters/);
});
