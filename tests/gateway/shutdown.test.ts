// SIGTERM on a real gateway process in front of a test upstream, with writes in flight: every
// request already received gets its answer, later ones a 503 JSON; none meets a reset.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { Client } from 'undici';
import { JSON_UTF8, until, type EchoServer, startEcho } from './support.ts';

const WRITERS = 6;

let echo: EchoServer;
let child: ChildProcess;
let url: string;
const logs: Array<{ msg?: string; url?: string }> = [];

before(async () => {
  echo = await startEcho('upstream');
  child = spawn(process.execPath, ['--conditions=source', 'services/gateway/src/main.ts'], {
    env: {
      PATH: process.env['PATH'],
      PORT: '0',
      HOST: '127.0.0.1',
      MONOLITH_URL: echo.url,
      MOVIES_SERVICE_URL: echo.url,
      EVENTS_SERVICE_URL: echo.url,
      GATEWAY_ACCESS_LOG: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as { msg?: string });
    } catch {
      logs.push({ msg: line });
    }
  });
  await until('the gateway to listen', () => logs.some((l) => l.url), 30_000);
  url = logs.find((l) => l.url)!.url!;
});
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await echo?.close();
});

const logged = (msg: string) => logs.some((l) => l.msg === msg);

test(`SIGTERM with ${WRITERS} writes in flight, one body half sent and an idle keep-alive client: no reset`, { timeout: 60_000 }, async () => {
  const port = Number(new URL(url).port);
  // Writes the upstream holds until released; each settles to its status, or how it failed.
  const writes = Array.from({ length: WRITERS }, (_, i) =>
    fetch(`${url}/hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writer: i }) }).then(
      async (res) => `${res.status} ${((await res.json()) as { method: string }).method}`,
      (error: Error) => `failed: ${String(error.cause ?? error)}`,
    ),
  );
  // A request whose body is still on its way when the signal comes.
  const halfSent = connect(port, '127.0.0.1');
  await once(halfSent, 'connect');
  let halfSentAnswer = '';
  halfSent.on('data', (data: Buffer) => (halfSentAnswer += data.toString('latin1')));
  halfSent.write(`POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: half-sent\r\nContent-Length: 2000\r\n\r\n${'a'.repeat(1000)}`);
  // A keep-alive client that made one request and sits idle.
  const idle = new Client(url, { pipelining: 1 });
  const first = await idle.request({ method: 'GET', path: '/echo' });
  assert.equal(first.statusCode, 200);
  await first.body.dump();

  await echo.waitForHeld(WRITERS, 10_000);
  await until('the half-sent body to reach the upstream', () => echo.seen.some((s) => s.headers['x-request-id'] === 'half-sent' && s.bodyBytes > 0), 10_000);

  child.kill('SIGTERM');
  await until('the gateway to start shutting down', () => logged('shutting down'), 10_000);

  // New requests, on the idle connection or a new one, are answered 503 (after their body) and closed.
  const fresh = new Client(url);
  for (const client of [idle, fresh]) {
    const late = await client.request({ method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: '{"late":true}' });
    assert.equal(late.statusCode, 503);
    assert.equal(late.headers['content-type'], JSON_UTF8);
    assert.equal(late.headers['connection'], 'close');
    assert.deepEqual(await late.body.json(), { error: 'the gateway is shutting down' });
  }

  // What was received before the signal finishes.
  halfSent.write('b'.repeat(1000));
  await until('the half-sent request to be answered', () => halfSentAnswer.includes('"bodyBytes":2000'), 10_000);
  assert.match(halfSentAnswer, /^HTTP\/1\.1 200 /);
  assert.match(halfSentAnswer, /\r\nconnection: close\r\n/i, 'answers while closing close their connection');
  halfSent.destroy();

  echo.releaseHolds();
  assert.deepEqual(await Promise.all(writes), Array(WRITERS).fill('200 POST'));

  const [code] = (await once(child, 'exit', { signal: AbortSignal.timeout(20_000) })) as [number];
  assert.equal(code, 0);
  assert.ok(logged('stopped'));
  await Promise.all([idle.close(), fresh.close()]);
});
