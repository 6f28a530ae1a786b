// Test helpers for the gateway suites: a scriptable echo upstream, a gateway built from a raw
// route table, and a raw-socket HTTP/1.1 client for request targets fetch would normalise away.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { buildGateway, validateRouteTable, type Gateway, type GatewayDeps } from '@cinemaabyss/gateway';
import { listen, type App } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';

/** What the echo upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Body bytes received so far. */
  bodyBytes: number;
  /** True once the whole body arrived ('end'); false while in flight or when the request was cut off. */
  complete: boolean;
  /** True when the connection closed before the body ended. */
  aborted: boolean;
}

export interface EchoServer {
  name: string;
  url: string;
  port: number;
  /** Every request the server received, in arrival order. */
  seen: SeenRequest[];
  /** Requests currently parked on /hold. */
  held(): number;
  /** Resolves once `n` requests are parked on /hold (rejects after `timeoutMs`). */
  waitForHeld(n: number, timeoutMs?: number): Promise<void>;
  /** Answers every parked /hold request; later /hold requests answer at once. */
  releaseHolds(): void;
  close(): Promise<void>;
}

const BEHAVIOURS = new Set(['echo', 'slow-first-byte', 'stream', 'status', 'hold']);

function intParam(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/**
 * An upstream whose behaviour is chosen per request by the first path segment that names one
 * (so `/api/payments/status/503` works as well as `/status/503`); any other path echoes.
 *
 * - `/echo` → 200 JSON `{server, method, url, headers, bodyBytes}` once the body has ended
 * - `/slow-first-byte?ms=N` → waits N ms, then echoes
 * - `/stream?chunks=N&bytes=B&gapMs=G` → N chunks of B bytes ('x'), G ms apart, chunked encoding
 * - `/status/NNN` → that status with a JSON body; with `?on=<name>` only the server of that name
 *   does so, the others echo (to make one backend fail and not another)
 * - `/hold` → parked until `releaseHolds()`
 */
export async function startEcho(name = 'echo'): Promise<EchoServer> {
  const seen: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let holds: Array<() => void> = [];
  let released = false;
  const heldWaiters: Array<() => void> = [];

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const echo = (record: SeenRequest, res: ServerResponse, status = 200) => {
    const body = JSON.stringify({ server: name, method: record.method, url: record.url, headers: record.headers, bodyBytes: record.bodyBytes });
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-echo-server': name });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const record: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: 0, complete: false, aborted: false };
    seen.push(record);
    req.on('data', (chunk: Buffer) => {
      record.bodyBytes += chunk.length;
    });
    req.on('aborted', () => {
      record.aborted = true;
    });
    req.on('close', () => {
      if (!record.complete) record.aborted = true;
    });
    req.on('error', () => {
      record.aborted = true;
    });
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true; // the gateway cut the answer short
    });
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const segments = url.pathname.split('/');
    const at = segments.findIndex((s) => BEHAVIOURS.has(s));
    const behaviour = at < 0 ? 'echo' : (segments[at] ?? 'echo');
    const params = url.searchParams;

    req.on('end', () => {
      record.complete = true;
      switch (behaviour) {
        case 'slow-first-byte':
          later(intParam(params, 'ms', 1000), () => echo(record, res));
          return;
        case 'stream': {
          const chunks = intParam(params, 'chunks', 5);
          const bytes = intParam(params, 'bytes', 1024);
          const gapMs = intParam(params, 'gapMs', 100);
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-echo-server': name });
          let sent = 0;
          const next = () => {
            if (res.destroyed) return;
            res.write(Buffer.alloc(bytes, 'x'));
            sent++;
            if (sent >= chunks) res.end();
            else later(gapMs, next);
          };
          next();
          return;
        }
        case 'status': {
          const status = Number(segments[at + 1]);
          const only = params.get('on');
          if (!Number.isInteger(status) || status < 200 || status > 599 || (only !== null && only !== name)) return echo(record, res);
          return echo(record, res, status);
        }
        case 'hold':
          if (released) return echo(record, res);
          holds.push(() => echo(record, res));
          for (const wake of heldWaiters.splice(0)) wake();
          return;
        default:
          return echo(record, res);
      }
    });
    req.resume();
  };

  const server: Server = createServer({ keepAliveTimeout: 60_000 }, handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    held: () => holds.length,
    async waitForHeld(n, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (holds.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${name}: expected ${n} held requests, have ${holds.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 50));
          heldWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    releaseHolds() {
      released = true;
      const pending = holds;
      holds = [];
      for (const answer of pending) answer();
    },
    async close() {
      released = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      holds = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RunningGateway {
  url: string;
  port: number;
  app: App;
  backends: Gateway['backends'];
  close(): Promise<void>;
}

/** A gateway on 127.0.0.1 from a raw route table (validated, defaults filled) and optional deps. */
export async function startGateway(tableRaw: unknown, overrides: Partial<Omit<GatewayDeps, 'table'>> = {}): Promise<RunningGateway> {
  const { app, backends } = await buildGateway({
    logger: createLogger('test', { level: 'silent', async: false }),
    ...overrides,
    table: validateRouteTable(tableRaw),
  });
  const url = await listen(app, 0, '127.0.0.1');
  return { url, port: Number(new URL(url).port), app, backends, close: () => app.close() };
}

/** A table with one backend (`echo`) behind a catch-all route; backend fields override the defaults. */
export function singleBackendTable(url: string, backend: Record<string, unknown> = {}): unknown {
  return {
    backends: { echo: { url, ...backend } },
    routes: [{ name: 'all', prefix: '/', backend: 'echo' }],
  };
}

export interface RawResponse {
  statusLine: string;
  status: number;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: string;
  /** Bytes received in total (to tell "no answer at all" from an empty one). */
  received: number;
}

function parseHead(head: string): Pick<RawResponse, 'statusLine' | 'status' | 'headers'> {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { statusLine, status: Number(statusLine.split(' ')[1]), headers };
}

/** Decodes a complete chunked body, or returns undefined while it is incomplete. */
function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size in response');
    if (size === 0) return buf.indexOf('\r\n\r\n', eol) === eol ? Buffer.concat(parts) : undefined;
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * Writes `request` verbatim on a fresh TCP connection and reads one response (by content-length,
 * chunked framing, or connection close). A reset after a complete response head is tolerated: a
 * server may close on a request whose body it refused.
 */
export function rawRequest(
  port: number,
  request: string | Buffer | Array<string | Buffer>,
  options: { timeoutMs?: number /** pause between the parts of an array request */; gapMs?: number } = {},
): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const gapMs = options.gapMs ?? 0;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`rawRequest: no complete response within ${timeoutMs} ms (got ${buf.length} bytes)`)), timeoutMs);

    const tryParse = (closed: boolean): RawResponse | undefined => {
      let end = buf.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      let head = parseHead(buf.subarray(0, end).toString('latin1'));
      // Interim answers (100 Continue) come before the answer.
      while (head.status >= 100 && head.status < 200 && head.status !== 101) {
        const start = end + 4;
        end = buf.indexOf('\r\n\r\n', start);
        if (end < 0) return undefined;
        head = parseHead(buf.subarray(start, end).toString('latin1'));
      }
      const rest = buf.subarray(end + 4);
      const length = head.headers['content-length'];
      let body: Buffer | undefined;
      if (head.status === 204 || head.status === 304 || (head.status >= 100 && head.status < 200)) body = Buffer.alloc(0);
      else if (length !== undefined) body = rest.length >= Number(length) ? rest.subarray(0, Number(length)) : undefined;
      else if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) body = dechunk(rest);
      else if (closed) body = rest;
      if (body === undefined) return closed ? { ...head, body: rest.toString('utf8'), received: buf.length } : undefined;
      return { ...head, body: body.toString('utf8'), received: buf.length };
    };

    function finish(error: Error | undefined, response?: RawResponse) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (response) resolve(response);
      else reject(error ?? new Error('rawRequest: connection closed without a response'));
    }

    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const response = tryParse(false);
      if (response) finish(undefined, response);
    });
    socket.on('end', () => finish(undefined, tryParse(true)));
    socket.on('close', () => finish(undefined, tryParse(true)));
    socket.on('error', (error) => {
      const response = tryParse(true);
      if (response) finish(undefined, response);
      else finish(error);
    });
    socket.on('connect', () => {
      const parts = [request].flat();
      const writeNext = () => {
        const part = parts.shift();
        if (part === undefined || settled || socket.destroyed) return;
        socket.write(part);
        if (gapMs > 0) setTimeout(writeNext, gapMs);
        else writeNext();
      };
      writeNext();
    });
  });
}

/** A GET request in raw HTTP/1.1 form, with extra header lines. */
export function rawGet(target: string, headers: string[] = [], host = '127.0.0.1'): string {
  return [`GET ${target} HTTP/1.1`, `Host: ${host}`, ...headers, '', ''].join('\r\n');
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The upstream's answer to `/echo`, parsed. */
export interface EchoBody {
  server: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

export function echoBody(text: string): EchoBody {
  return JSON.parse(text) as EchoBody;
}

/** The value of one Prometheus sample whose labels include `labels`, or undefined. */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** The gateway's /metrics text. */
export async function metricsText(gatewayUrl: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  return res.text();
}

/** gateway_breaker_state of one backend as /metrics reports it (0 closed, 1 half-open, 2 open). */
export async function breakerState(gatewayUrl: string, backend: string): Promise<number | undefined> {
  return sample(await metricsText(gatewayUrl), 'gateway_breaker_state', { backend });
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** What every error answer of the API looks like: `{"error": "..."}` as UTF-8 JSON. */
export const JSON_UTF8 = 'application/json; charset=utf-8';
