// A client's oversized, aborted or malformed request never counts against a backend: it gets its
// 4xx (or, gone, no answer) and the backend's breaker stays closed. Only the upstream's own faults
// (5xx, unreachable, too slow) eject it. Raw sockets where framing matters.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  breakerState,
  echoBody,
  JSON_UTF8,
  rawGet,
  rawRequest,
  startEcho,
  startGateway,
  until,
  type EchoServer,
  type RawResponse,
  type RunningGateway,
} from './support.ts';

const LIMIT = 4096;
const CEILING = 8 * LIMIT;
// Each fault is repeated well past the breaker's threshold: one counted would open it.
const THRESHOLD = 2;
const REPEAT = 6;

const post = (target: string, headers: string[] = []) =>
  [`POST ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/octet-stream', ...headers, '', ''].join('\r\n');
const chunk = (n: number) => `${n.toString(16)}\r\n${'c'.repeat(n)}\r\n`;

/** The answer, or status 0 when the gateway closed the connection without one. */
async function rawOrClosed(...args: Parameters<typeof rawRequest>): Promise<RawResponse | { status: 0 }> {
  try {
    return await rawRequest(...args);
  } catch {
    return { status: 0 };
  }
}

async function assertServedNormally(gw: RunningGateway, backend: string, target = '/echo'): Promise<void> {
  assert.equal(gw.backends.get(backend)!.breaker.state(), 'closed');
  assert.equal(await breakerState(gw.url, backend), 0, `gateway_breaker_state{backend="${backend}"}`);
  const ok = await rawRequest(gw.port, rawGet(target));
  assert.equal(ok.status, 200, `a normal request after the faults: ${ok.body}`);
  assert.equal(ok.headers['x-served-by'], backend);
}

describe('client faults against an echo upstream', () => {
  let echo: EchoServer;
  let gw: RunningGateway;
  before(async () => {
    echo = await startEcho('upstream');
    gw = await startGateway(
      {
        backends: { echo: { url: echo.url, maxBodyBytes: LIMIT, consecutiveFailures: THRESHOLD } },
        routes: [
          { name: 'uploads', prefix: '/uploads', backend: 'echo', maxBodyBytes: 4 * LIMIT },
          { name: 'huge', prefix: '/huge', backend: 'echo', maxBodyBytes: 1024 * 1024 },
          { name: 'all', prefix: '/', backend: 'echo' },
        ],
      },
      { maxBodyBytes: CEILING },
    );
  });
  after(async () => {
    await gw?.close();
    await echo?.close();
  });

  test("body limits: the backend's by default, the route's where set, never above GATEWAY_MAX_BODY_BYTES", async () => {
    for (const [target, limit] of [
      ['/echo', LIMIT],
      ['/uploads/file', 4 * LIMIT],
      ['/huge/file', CEILING],
    ] as const) {
      const fits = await rawRequest(gw.port, [post(target, [`Content-Length: ${limit}`]), 'z'.repeat(limit)]);
      assert.equal(fits.status, 200, `${target} at its limit`);
      assert.equal(echoBody(fits.body).bodyBytes, limit);
      const before = echo.seen.length;
      const over = await rawRequest(gw.port, [post(target, [`Content-Length: ${limit + 1}`]), 'z'.repeat(limit + 1)]);
      assert.equal(over.status, 413, `${target} one byte over`);
      assert.equal(over.headers['content-type'], JSON_UTF8);
      assert.deepEqual(JSON.parse(over.body), { error: `request body is larger than ${limit} bytes` });
      assert.equal(echo.seen.length, before, 'refused before anything is forwarded');
    }
    // Without a content-length the limit holds while streaming.
    const chunked = await rawRequest(gw.port, [post('/echo', ['Transfer-Encoding: chunked']), chunk(3000), chunk(3000), '0\r\n\r\n'], { gapMs: 30 });
    assert.equal(chunked.status, 413);
    assert.deepEqual(JSON.parse(chunked.body), { error: `request body is larger than ${LIMIT} bytes` });
    const uploads = await rawRequest(gw.port, [post('/uploads/x', ['Transfer-Encoding: chunked']), chunk(3000), chunk(3000), '0\r\n\r\n'], { gapMs: 30 });
    assert.equal(uploads.status, 200, 'the same chunked body fits the uploads route');
    assert.equal(echoBody(uploads.body).bodyBytes, 6000);
  });

  test(`oversized bodies (declared and streamed), ${REPEAT} times each: 413, the breaker stays closed`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const declared = await rawRequest(gw.port, [post('/echo', [`Content-Length: ${LIMIT * 2}`]), 'z'.repeat(LIMIT * 2)]);
      assert.equal(declared.status, 413);
      const streamed = await rawRequest(gw.port, [post('/echo', ['Transfer-Encoding: chunked']), chunk(LIMIT), chunk(LIMIT), '0\r\n\r\n'], { gapMs: 20 });
      assert.equal(streamed.status, 413);
      assert.equal(streamed.headers['x-served-by'], 'gateway');
      assert.equal(streamed.headers['connection'], 'close', 'the rest of the body is not read as a next request');
    }
    await assertServedNormally(gw, 'echo');
  });

  test(`a client that aborts mid-body, ${REPEAT} times: the upstream request is cut, the breaker stays closed`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const id = `abort-mid-body-${i}`;
      const socket = connect(gw.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(post('/echo', ['Content-Length: 3000', `X-Request-Id: ${id}`]) + 'a'.repeat(1000));
      const mine = () => echo.seen.find((s) => s.headers['x-request-id'] === id);
      await until('the upstream to receive the request', () => (mine()?.bodyBytes ?? 0) > 0);
      socket.destroy();
      await until('the upstream request to be cut', () => mine()!.aborted);
      assert.equal(mine()!.complete, false);
    }
    await assertServedNormally(gw, 'echo');
  });

  test(`malformed chunked framing, ${REPEAT} times: 400 or a closed connection, never a 5xx; the breaker stays closed`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const r = await rawOrClosed(gw.port, [post('/echo', ['Transfer-Encoding: chunked']), chunk(100), 'zz-not-hex\r\n', 'x\r\n'], { gapMs: 20 });
      assert.ok(r.status === 400 || r.status === 0, `status ${r.status}`);
      if ('headers' in r) assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    }
    await assertServedNormally(gw, 'echo');
  });

  test(`a body shorter than its content-length (the client half-closes), ${REPEAT} times: never a 5xx; the breaker stays closed`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const socket = connect(gw.port, '127.0.0.1');
      await once(socket, 'connect');
      let received = '';
      socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
      socket.end(`${post('/echo', ['Content-Length: 1000'])}short`);
      await Promise.race([once(socket, 'close'), new Promise((resolve) => setTimeout(resolve, 5000))]);
      socket.destroy();
      const status = Number(received.split(' ')[1] ?? 0);
      assert.ok(status === 0 || status === 400, `status ${status}: ${received.slice(0, 80)}`);
    }
    await assertServedNormally(gw, 'echo');
  });

  test(`Expect: 100-continue, ${REPEAT} times: answered by the gateway, the body forwarded without it`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const id = `expect-${i}`;
      const r = await rawRequest(gw.port, [post('/echo', ['Expect: 100-continue', 'Content-Length: 5', `X-Request-Id: ${id}`]), 'hello'], { gapMs: 30 });
      assert.equal(r.status, 200, r.body);
      assert.equal(echoBody(r.body).bodyBytes, 5);
      assert.equal(echoBody(r.body).headers['expect'], undefined);
    }
    await assertServedNormally(gw, 'echo');
  });

  test(`a client too slow to send its body, ${REPEAT} times: 408, the breaker stays closed`, async () => {
    const slow = await startGateway({
      backends: { echo: { url: echo.url, consecutiveFailures: THRESHOLD, totalTimeoutMs: 300 } },
      routes: [{ name: 'all', prefix: '/', backend: 'echo' }],
    });
    try {
      for (let i = 0; i < REPEAT; i++) {
        // Half the body, then nothing until well past the total timeout.
        const r = await rawRequest(slow.port, [post('/echo', ['Content-Length: 100']), 'x'.repeat(50)], { timeoutMs: 10_000 });
        assert.equal(r.status, 408, r.body);
        assert.equal(r.headers['content-type'], JSON_UTF8);
        assert.deepEqual(JSON.parse(r.body), { error: 'request body did not arrive in time' });
      }
      await assertServedNormally(slow, 'echo');
      // An upstream too slow to answer a complete request is still its own fault.
      assert.equal((await rawRequest(slow.port, rawGet('/slow-first-byte?ms=1000'))).status, 504);
    } finally {
      await slow.close();
    }
  });

  test("the upstream's own faults still count: 5xx answers open the breaker", async () => {
    const own = await startGateway({
      backends: { echo: { url: echo.url, consecutiveFailures: THRESHOLD } },
      routes: [{ name: 'all', prefix: '/', backend: 'echo' }],
    });
    try {
      for (let i = 0; i < THRESHOLD; i++) assert.equal((await rawRequest(own.port, rawGet('/status/500'))).status, 500);
      const ejected = await rawRequest(own.port, rawGet('/echo'));
      assert.equal(ejected.status, 503);
      assert.equal(ejected.headers['content-type'], JSON_UTF8);
      assert.equal(await breakerState(own.url, 'echo'), 2);
    } finally {
      await own.close();
    }
  });
});

/**
 * An upstream that refuses request bodies before reading them: `answer` answers 413 at once and
 * keeps the connection (Node reads and drops the rest); `answer-and-close` also closes it at once
 * (as Fastify does for a body over its limit); `drop` closes it after the first body bytes,
 * without a word.
 */
async function startRefuser(mode: 'answer' | 'answer-and-close' | 'drop'): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (req.method === 'POST' && mode === 'drop') return void req.once('data', () => req.socket.destroy());
    const body = JSON.stringify({ error: 'the upstream refuses this body' });
    res.writeHead(413, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...(mode === 'answer-and-close' ? { connection: 'close' } : {}),
    });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('an upstream that answers before reading the whole body', () => {
  const BODY = 1024 * 1024;
  let soft: Awaited<ReturnType<typeof startRefuser>>;
  let hard: Awaited<ReturnType<typeof startRefuser>>;
  let drop: Awaited<ReturnType<typeof startRefuser>>;
  let gw: RunningGateway;
  before(async () => {
    soft = await startRefuser('answer');
    hard = await startRefuser('answer-and-close');
    drop = await startRefuser('drop');
    const backend = { maxBodyBytes: BODY, consecutiveFailures: THRESHOLD };
    gw = await startGateway({
      backends: { soft: { url: soft.url, ...backend }, hard: { url: hard.url, ...backend }, drop: { url: drop.url, ...backend } },
      routes: [
        { name: 'hard', prefix: '/hard', backend: 'hard' },
        { name: 'drop', prefix: '/drop', backend: 'drop' },
        { name: 'soft', prefix: '/', backend: 'soft' },
      ],
    });
  });
  after(async () => {
    await gw?.close();
    await Promise.all([soft?.close(), hard?.close(), drop?.close()]);
  });

  // The body in 16 parts: slow (the upstream answers while it arrives) or all at once.
  const upload = (target: string, gapMs: number) =>
    rawOrClosed(gw.port, [post(target, [`Content-Length: ${BODY}`]), ...Array.from({ length: 16 }, () => 'u'.repeat(BODY / 16))], { gapMs });

  test(`its early 413 reaches the client as its answer, ${REPEAT} times; the breaker stays closed`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const r = await upload('/upload', 20);
      assert.equal(r.status, 413);
      assert.ok('headers' in r);
      assert.equal(r.headers['x-served-by'], 'soft');
      assert.deepEqual(JSON.parse(r.body), { error: 'the upstream refuses this body' });
    }
    assert.equal(soft.requests(), REPEAT);
    assert.equal(await breakerState(gw.url, 'soft'), 0);
  });

  test(`an upstream that also closes at once: its 413 when it arrives in time, else 502; never counted (${REPEAT} times)`, async () => {
    const seen = new Set<string>();
    for (let i = 0; i < REPEAT; i++) {
      // Quickly: the gateway is still writing when the upstream closes, which sometimes loses its answer.
      const r = await upload('/hard/upload', 2);
      assert.ok('headers' in r, 'the gateway answers');
      seen.add(`${r.status} ${r.headers['x-served-by']}`);
      if (r.status === 502) assert.deepEqual(JSON.parse(r.body), { error: 'backend hard closed the connection before reading the whole request body' });
      else assert.equal(r.status, 413);
    }
    assert.ok(
      [...seen].every((s) => s === '413 hard' || s === '502 gateway'),
      [...seen].join(', '),
    );
    assert.equal(gw.backends.get('hard')!.breaker.state(), 'closed');
    assert.equal(await breakerState(gw.url, 'hard'), 0);
    // A bodiless request to the same upstream is served as usual.
    const get = await rawRequest(gw.port, rawGet('/hard/x'));
    assert.equal(get.status, 413);
    assert.equal(get.headers['x-served-by'], 'hard');
  });

  test(`an upstream that drops the connection mid-body without answering: 502, never counted (${REPEAT} times)`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const r = await upload('/drop/upload', 20);
      assert.equal(r.status, 502);
      assert.ok('headers' in r);
      assert.equal(r.headers['content-type'], JSON_UTF8);
      assert.deepEqual(JSON.parse(r.body), { error: 'backend drop closed the connection before reading the whole request body' });
    }
    assert.equal(await breakerState(gw.url, 'drop'), 0);
    const get = await rawRequest(gw.port, rawGet('/drop/x'));
    assert.equal(get.headers['x-served-by'], 'drop', 'still in service');
  });
});
