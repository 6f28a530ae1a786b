import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { Logger } from '@cinemaabyss/logging';
import type { GatewayMetrics, Reason } from '../metrics.ts';
import { decide, type DecideDeps } from '../routing/decide.ts';
import { matchRoute, type RouteSpec, type RouteTable } from '../routing/table.ts';
import type { Backend } from './backend.ts';
import { forward, type Failure, type Outcome } from './forward.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { normalizeTarget } from './path.ts';

export const SERVED_BY_HEADER = 'x-served-by';
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ProxyDeps extends DecideDeps {
  table: RouteTable;
  backends: Map<string, Backend>;
  metrics: GatewayMetrics;
  logger: Logger;
  maxBodyBytes: number;
}

const failureAnswer: Record<Failure, [number, string]> = {
  breaker: [503, 'is temporarily ejected (circuit open)'],
  overflow: [503, 'is at capacity'],
  connect: [502, 'is unreachable'],
  timeout: [504, 'did not answer in time'],
  aborted: [499, 'request aborted by the client'],
};

/** The gateway's own answers (rejections, upstream failures) name it as their source. */
function sendJson(res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [SERVED_BY_HEADER]: 'gateway',
    ...extra,
  });
  res.end(body);
}

/** Streams the request body through, failing it once it passes the limit (bodies are never buffered whole). */
function limitedBody(req: IncomingMessage, max: number): Readable | null {
  const length = req.headers['content-length'];
  if (!req.headers['transfer-encoding'] && (length === undefined || length === '0')) return null;
  let seen = 0;
  return req.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(seen > max ? Object.assign(new Error('request body too large'), { code: 'BODY_TOO_LARGE' }) : null, chunk);
      },
    }),
  );
}

/** The data plane: normalise, route, decide, forward (with fallback), stream the answer back. */
export function createProxy(deps: ProxyDeps) {
  const { metrics, logger } = deps;

  return async function proxy(req: IncomingMessage, res: ServerResponse, requestId: string, clientIp: string): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const target = normalizeTarget(req.url ?? '/');
    if (!target.ok) return sendJson(res, 400, `invalid request target: ${target.reason}`, { 'x-request-id': requestId });
    const route = matchRoute(deps.table.routes, target.path, method);
    if (!route) return sendJson(res, 405, `method ${method} is not routed for ${target.path}`, { 'x-request-id': requestId });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > deps.maxBodyBytes) return sendJson(res, 413, `request body is larger than ${deps.maxBodyBytes} bytes`, { 'x-request-id': requestId });

    const decision = decide(route, req.headers, target.query, deps);
    // One controller per attempt, aborted by the client going away or by the backend's total
    // timeout: a plain timer is much cheaper per request than AbortSignal.any + AbortSignal.timeout.
    let current: AbortController | undefined;
    res.once('close', () => res.writableFinished || current?.abort(new Error('client closed the connection')));
    const headers = upstreamRequestHeaders(req.headers, {
      clientIp,
      proto: 'http',
      host: req.headers.host,
      requestId,
    });
    const body = limitedBody(req, deps.maxBodyBytes);
    const attempt = async (backend: Backend): Promise<Outcome> => {
      const controller = new AbortController();
      current = controller;
      const timer = setTimeout(
        () => controller.abort(Object.assign(new Error(`total timeout of ${backend.spec.totalTimeoutMs} ms`), { name: 'TimeoutError' })),
        backend.spec.totalTimeoutMs,
      );
      const outcome = await forward(backend, { method, path: target.path + target.query, headers, body, signal: controller.signal });
      if (!outcome.ok) {
        clearTimeout(timer);
        if (outcome.failure === 'overflow') metrics.rejected.inc({ backend: backend.name });
        return outcome;
      }
      const release = outcome.done;
      return { ...outcome, done: () => (clearTimeout(timer), release()) };
    };

    let backend = deps.backends.get(decision.backend)!;
    let reason: Reason = decision.reason;
    let outcome = await attempt(backend);
    const migration = route.migration;
    const fallbackAllowed = migration?.fallback && REPLAYABLE.has(method) && backend.name === migration.to;
    const newFailed = !outcome.ok ? outcome.failure !== 'aborted' : outcome.response.statusCode >= 500;
    if (fallbackAllowed && newFailed) {
      if (outcome.ok) {
        outcome.response.body.resume(); // drain the failed answer so its connection is reused
        outcome.done();
      }
      reason = !outcome.ok && outcome.failure === 'breaker' ? 'breaker' : 'fallback';
      backend = deps.backends.get(route.backend)!;
      outcome = await attempt(backend);
    }
    metrics.decisions.inc({ route: route.name, backend: backend.name, reason });

    const finish = (status: number) => {
      const seconds = (performance.now() - started) / 1000;
      metrics.requests.inc({ route: route.name, backend: backend.name, status_class: `${Math.floor(status / 100)}xx`, reason });
      metrics.duration.observe({ route: route.name, backend: backend.name }, seconds);
      logger.info(
        { reqId: requestId, method, path: target.path, route: route.name, backend: backend.name, reason, status, ms: Math.round(seconds * 10000) / 10 },
        'proxied',
      );
    };

    if (!outcome.ok) {
      const [status, text] = failureAnswer[outcome.failure];
      const bodyError = (outcome.error as { code?: string } | undefined)?.code === 'BODY_TOO_LARGE';
      if (bodyError) sendJson(res, 413, `request body is larger than ${deps.maxBodyBytes} bytes`, { 'x-request-id': requestId });
      else sendJson(res, status, outcome.failure === 'aborted' ? text : `backend ${backend.name} ${text}`, { 'x-request-id': requestId });
      return finish(bodyError ? 413 : status);
    }
    const { response, done } = outcome;
    const out = downstreamResponseHeaders(response.headers);
    out[SERVED_BY_HEADER] = backend.name;
    out['x-request-id'] = requestId;
    if (decision.setCookie) out['set-cookie'] = [...[out['set-cookie'] ?? []].flat(), decision.setCookie];
    res.writeHead(response.statusCode, out);
    // .pipe() with explicit end/error handling: stream.pipeline allocates an AbortController and
    // a DOMException per response, a fifth of the gateway's CPU under load (bench/README.md).
    const stream = response.body;
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      done();
      if (failed) {
        stream.destroy();
        if (!res.writableFinished) res.destroy();
      }
      finish(response.statusCode);
    };
    stream.once('error', () => settle(true));
    res.once('finish', () => settle(false));
    res.once('close', () => settle(!res.writableFinished));
    stream.pipe(res);
  };
}

export type Proxy = ReturnType<typeof createProxy>;
export type { RouteSpec };
