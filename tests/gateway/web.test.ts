// The gateway serving a web app's build (the viewer) at `/` next to what it proxies: files and
// client-side pages come from the build, every API path still reaches its backend, and a client
// that does not ask for HTML keeps the backend's answer for an unknown path.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findWebBuild } from '@cinemaabyss/gateway';
import { startEcho, startGateway, type EchoServer, type RunningGateway } from './support.ts';

let echo: EchoServer;
let gw: RunningGateway;
let dir: string;

const INDEX = '<!doctype html><title>viewer</title><script type="module" src="/assets/app-1a2b.js"></script>';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viewer-build-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  echo = await startEcho('upstream');
  gw = await startGateway(
    {
      backends: { echo: { url: echo.url } },
      routes: [
        { name: 'events', prefix: '/events-api', backend: 'echo' },
        { name: 'all', prefix: '/', backend: 'echo' },
      ],
    },
    { web: findWebBuild(dir) },
  );
});
after(async () => {
  await gw?.close();
  await echo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const proxied = async (path: string, init: RequestInit = {}) => {
  const before = echo.seen.length;
  const res = await fetch(`${gw.url}${path}`, init);
  await res.arrayBuffer();
  return { res, reached: echo.seen.slice(before).map((r) => r.url) };
};

describe('a web build served by the gateway', () => {
  test('/ is index.html, revalidated, with a content security policy', async () => {
    const res = await fetch(`${gw.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(await res.text(), INDEX);
  });

  test('hashed assets are cached for good; other files of the build are served too', async () => {
    const js = await fetch(`${gw.url}/assets/app-1a2b.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await js.text(), 'console.log("app")');
    const icon = await fetch(`${gw.url}/favicon.svg`, { method: 'HEAD' });
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);
  });

  test('a browser navigating to a client-side page gets index.html', async () => {
    for (const path of ['/movies/3', '/account', '/signup?next=1']) {
      const { res, reached } = await proxied(path, { headers: HTML });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.deepEqual(reached, [], path);
    }
  });

  test('API paths, the gateway document, non-HTML clients, other methods and missing files are proxied', async () => {
    const cases: [string, RequestInit][] = [
      ['/api/movies', { headers: HTML }],
      ['/api', { headers: HTML }],
      ['/events-api/x', { headers: HTML }],
      ['/movies/3', {}],
      ['/movies/3', { headers: { accept: 'application/json' } }],
      ['/missing.png', { headers: HTML }],
      ['/assets/gone-0000.js', { headers: HTML }],
      ['/', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }],
    ];
    for (const [path, init] of cases) {
      const { res, reached } = await proxied(path, init);
      assert.equal(res.headers.get('x-served-by'), 'echo', `${init.method ?? 'GET'} ${path}`);
      assert.deepEqual(reached, [path], `${init.method ?? 'GET'} ${path}`);
    }
    const doc = await fetch(`${gw.url}/gateway/openapi.json`, { headers: HTML });
    assert.equal(doc.status, 200);
    const paths = Object.keys(((await doc.json()) as { paths: Record<string, unknown> }).paths);
    assert.ok(!paths.some((p) => p.includes('*') || p.includes('assets')), `undocumented web routes: ${paths.join(', ')}`);
  });

  test('a directory without index.html is no build', () => {
    assert.equal(findWebBuild(join(dir, 'assets')), undefined);
    assert.equal(findWebBuild(join(dir, 'nowhere')), undefined);
  });
});
