// Interactive API documentation (Swagger UI) at /docs on every service, from packages/http.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findWebBuild } from '@cinemaabyss/gateway';
import { startAdmin, type AdminUnderTest } from '../admin/support.ts';
import { checkDocs } from '../support/docs.ts';
import { startGateway, type RunningGateway } from '../gateway/support.ts';
import { setupStack } from '../support/stack.ts';

const ctx = setupStack();
// The gateway serves a web app at `/` whose client-side pages answer any HTML navigation: /docs stays the documentation's.
const webDir = mkdtempSync(join(tmpdir(), 'cinemaabyss-web-'));
writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>viewer</title>');
let gateway: RunningGateway;
let admin: AdminUnderTest;
before(async () => {
  gateway = await startGateway(
    { backends: { monolith: { url: 'http://127.0.0.1:9' } }, routes: [{ name: 'all', prefix: '/', backend: 'monolith' }] },
    { web: findWebBuild(webDir) },
  );
  admin = await startAdmin();
});
after(async () => {
  await gateway?.close();
  await admin?.close();
  rmSync(webDir, { recursive: true, force: true });
});

test('the monolith documents its API at /docs', async () => {
  const document = await checkDocs(ctx.stack.monolith);
  assert.ok(document.paths['/api/users'] && document.paths['/api/movies']);
});

test('the movies service documents its API at /docs', async () => {
  const document = await checkDocs(ctx.stack.movies);
  assert.ok(document.paths['/api/movies']);
  assert.equal(document.paths['/api/users'], undefined);
});

test('the gateway shows its own document at /docs (never proxied), the one at /gateway/openapi.json', async () => {
  const document = await checkDocs(gateway.url);
  assert.deepEqual(document, await (await fetch(`${gateway.url}/gateway/openapi.json`)).json());
  assert.ok(document.paths['/metrics'] && document.paths['/health']);
  assert.match(document.info.description ?? '', /proxied by longest prefix/);
  const navigation = await fetch(`${gateway.url}/docs`, { headers: { accept: 'text/html' } });
  assert.match(await navigation.text(), /id="swagger-ui"/, 'a browser navigating to /docs gets the documentation, not the web app');
  assert.match(await (await fetch(`${gateway.url}/somewhere`, { headers: { accept: 'text/html' } })).text(), /<title>viewer/);
});

test('the admin API documents its routes at /docs, without a token', async () => {
  const document = await checkDocs(admin.url);
  assert.ok(Object.keys(document.paths).some((path) => path.startsWith('/admin/')));
});
