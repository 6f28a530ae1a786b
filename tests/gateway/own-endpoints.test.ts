// The gateway's own endpoints are documented, and every error answer it gives itself (on its own
// paths or on proxied ones) is `{"error": "..."}` JSON with its content type.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { JSON_UTF8, rawGet, rawRequest, singleBackendTable, startEcho, startGateway, type EchoServer, type RunningGateway } from './support.ts';

let echo: EchoServer;
let gw: RunningGateway;

before(async () => {
  echo = await startEcho('upstream');
  gw = await startGateway(
    {
      backends: { echo: { url: echo.url, firstByteTimeoutMs: 200, maxBodyBytes: 1024 } },
      routes: [
        { name: 'events', prefix: '/api/events', backend: 'echo' },
        { name: 'all', prefix: '/', backend: 'echo' },
      ],
    },
    { maxHeaderBytes: 2048 },
  );
});
after(async () => {
  await gw?.close();
  await echo?.close();
});

/** A port nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('the gateway document', () => {
  test('/gateway/openapi.json lists /health, /ready, /metrics and itself, and names the proxied prefixes', async () => {
    const res = await fetch(`${gw.url}/gateway/openapi.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), JSON_UTF8);
    const doc = (await res.json()) as { openapi: string; info: { title: string; description: string }; paths: Record<string, Record<string, unknown>> };
    assert.match(doc.openapi, /^3\.1\./);
    assert.equal(doc.info.title, 'CinemaAbyss gateway');
    for (const path of ['/health', '/ready', '/metrics', '/gateway/openapi.json']) {
      assert.ok(doc.paths[path]?.['get'], `${path} is documented`);
    }
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/gateway/openapi.json', '/health', '/metrics', '/ready']);
    assert.match(doc.info.description, /`\/api\/events` → echo/);
    assert.match(doc.info.description, /`\/` → echo/);
  });

  test("/openapi.json is not the gateway's: it is proxied like every other path", async () => {
    const res = await fetch(`${gw.url}/openapi.json`);
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-served-by'), 'echo');
  });

  test('/health answers text; /ready and /metrics answer', async () => {
    const health = await fetch(`${gw.url}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await health.text(), 'Strangler Fig Proxy is healthy');
    const ready = await fetch(`${gw.url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: true, checks: {} });
    assert.equal((await fetch(`${gw.url}/metrics`)).status, 200);
  });
});

describe('error answers are JSON', () => {
  const assertJsonError = (r: { status: number; headers: Record<string, string>; body: string }, status: number, what: string) => {
    assert.equal(r.status, status, `${what}: ${r.body}`);
    assert.equal(r.headers['content-type'], JSON_UTF8, what);
    assert.equal(typeof (JSON.parse(r.body) as { error: unknown }).error, 'string', what);
  };

  test("the proxy's own answers: 400 bad target, 413 too large, 502 unreachable, 504 too slow", async () => {
    assertJsonError(await rawRequest(gw.port, rawGet('/a%2Fb')), 400, 'bad target');
    const tooLarge = await rawRequest(gw.port, [`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n`, 'z'.repeat(2000)]);
    assertJsonError(tooLarge, 413, 'too large');
    assertJsonError(await rawRequest(gw.port, rawGet('/slow-first-byte?ms=2000')), 504, 'too slow');
    const dead = await startGateway(singleBackendTable(`http://127.0.0.1:${await deadPort()}`, { connectTimeoutMs: 500 }));
    try {
      assertJsonError(await rawRequest(dead.port, rawGet('/echo')), 502, 'unreachable');
    } finally {
      await dead.close();
    }
  });

  test("a method the gateway's own paths do not serve: 405 with Allow", async () => {
    for (const [method, path] of [
      ['POST', '/health'],
      ['DELETE', '/metrics'],
      ['PUT', '/ready'],
      ['POST', '/gateway/openapi.json'],
    ] as const) {
      const r = await rawRequest(gw.port, `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
      assertJsonError(r, 405, `${method} ${path}`);
      assert.match(r.headers['allow'] ?? '', /GET/, `${method} ${path}`);
    }
  });

  // Answered by Node's parser through the shared server's clientError handler (packages/http),
  // before the gateway sees a request.
  test('a header block over the limit: 431 JSON', async () => {
    const r = await rawRequest(gw.port, rawGet('/echo', [`X-Big: ${'a'.repeat(3000)}`]));
    assert.equal(r.status, 431);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(typeof (JSON.parse(r.body) as { error: unknown }).error, 'string');
  });
});
