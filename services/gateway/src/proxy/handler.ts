import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@cinemaabyss/logging';
import { traceFields } from '@cinemaabyss/telemetry';
import type { RequestObserver } from '../analysis/window.ts';
import type { GatewayMetrics, Reason } from '../metrics.ts';
import type { ShadowTap } from '../shadow/mirror.ts';
import { decide, type Decision, type DecideDeps } from '../routing/decide.ts';
import { matchRoute, type RouteSpec, type RouteTable } from '../routing/table.ts';
import type { Backend } from './backend.ts';
import { afterBody, ClientBodyError, discardRest, limitedBody } from './body.ts';
import { Attempt, type AttemptListener, type Failure, type ForwardRequest, type UpstreamHeaders } from './forward.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { normalizeTarget } from './path.ts';
import { hopParent } from './tracing.ts';

export const SERVED_BY_HEADER = 'x-served-by';
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ProxyDeps extends DecideDeps {
  table: RouteTable;
  backends: Map<string, Backend>;
  metrics: GatewayMetrics;
  logger: Logger;
  /** The ceiling over every route's body limit. */
  maxBodyBytes: number;
  accessLog: boolean;
  /** True once the gateway is shutting down: answers close their connections, new requests get 503. */
  closing: () => boolean;
  /** Told of every finished request on routes with analysis on (the analysis's window counts). */
  observer?: RequestObserver;
  /** Shadow comparison: asked only for routes whose live state mirrors (shadow.percent > 0). */
  shadow?: { mirror(route: RouteSpec, request: ForwardRequest, serving: string): ShadowTap | undefined };
}

// The gateway's answer per failure; `backend` when the text is about the backend (it is named).
const failureAnswer: Record<Failure, [status: number, text: string, about: 'backend' | 'request']> = {
  breaker: [503, 'is temporarily ejected (circuit open)', 'backend'],
  overflow: [503, 'is at capacity', 'backend'],
  connect: [502, 'is unreachable', 'backend'],
  timeout: [504, 'did not answer in time', 'backend'],
  cut: [502, 'closed the connection before reading the whole request body', 'backend'],
  aborted: [499, 'request aborted by the client', 'request'], // logged; the client is gone
  'too-large': [413, 'request body is too large', 'request'],
  malformed: [400, 'request body does not match its framing', 'request'],
  unforwardable: [400, 'request cannot be forwarded as sent', 'request'],
  'slow-client': [408, 'request body did not arrive in time', 'request'],
};

/** The gateway's own answers (rejections, upstream failures) name it as their source. */
export function sendJson(res: ServerResponse, status: number, error: string, requestId: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [SERVED_BY_HEADER]: 'gateway',
    'x-request-id': requestId,
    ...extra,
  });
  res.end(body);
}

/** The body limit of a request: its route's, else its backend's (what the backend accepts), within the ceiling. */
function bodyLimit(route: RouteSpec, backend: Backend, ceiling: number): number {
  return Math.min(ceiling, route.maxBodyBytes ?? backend.spec.maxBodyBytes);
}

interface ExchangeMeta {
  route: RouteSpec;
  decision: Decision;
  requestId: string;
  /** Normalised path without the query, for the log. */
  path: string;
  started: number;
  /** The primary's answer goes here too when the request is mirrored. */
  tap: ShadowTap | undefined;
}

function clientGone(exchange: Exchange): void {
  exchange.clientClosed();
}

/**
 * One proxied request: tries the chosen backend, falls back to the route's own backend when the
 * new one fails an idempotent, bodiless request, and streams the answer to the client.
 */
class Exchange implements AttemptListener {
  readonly #deps: ProxyDeps;
  readonly #res: ServerResponse;
  readonly #route: RouteSpec;
  readonly #request: ForwardRequest;
  readonly #decision: Decision;
  readonly #requestId: string;
  readonly #path: string;
  readonly #started: number;
  readonly #canFallBack: boolean;
  readonly #tap: ShadowTap | undefined;
  #attempt: Attempt | undefined;
  #reason: Reason;
  #status = 0;
  #failure: Failure | undefined;
  #onDrain: (() => void) | undefined;

  constructor(deps: ProxyDeps, res: ServerResponse, request: ForwardRequest, meta: ExchangeMeta) {
    const { route, decision } = meta;
    this.#deps = deps;
    this.#res = res;
    this.#route = route;
    this.#request = request;
    this.#decision = decision;
    this.#requestId = meta.requestId;
    this.#path = meta.path;
    this.#started = meta.started;
    this.#reason = decision.reason;
    this.#tap = meta.tap;
    const migration = route.migration;
    this.#canFallBack = !!migration?.fallback && request.body === null && REPLAYABLE.has(request.method) && decision.backend === migration.to;
  }

  start(): void {
    this.#res.once('close', clientGone.bind(null, this));
    this.#try(this.#decision.backend);
  }

  clientClosed(): void {
    if (!this.#res.writableFinished) this.#attempt?.abort(new Error('client closed the connection'));
  }

  #try(backendName: string): void {
    this.#attempt = new Attempt(this.#deps.backends.get(backendName)!, this.#request, this);
    this.#attempt.start();
  }

  /** The new backend failed before answering usefully: serve the request from the route's own backend. */
  #fallBack(reason: 'fallback' | 'breaker'): void {
    this.#reason = reason;
    this.#try(this.#route.backend);
  }

  #fallbackPossible(): boolean {
    return this.#canFallBack && this.#attempt!.backend.name !== this.#route.backend;
  }

  onHead(status: number, headers: UpstreamHeaders): boolean {
    if (status >= 500 && this.#fallbackPossible()) {
      this.#fallBack('fallback');
      return false; // the failed answer is drained by its attempt, so its connection is reused
    }
    const out = downstreamResponseHeaders(headers);
    out[SERVED_BY_HEADER] = this.#attempt!.backend.name;
    out['x-request-id'] = this.#requestId;
    if (this.#decision.setCookie) out['set-cookie'] = [...[out['set-cookie'] ?? []].flat(), this.#decision.setCookie];
    // An early answer (the upstream refused the body before reading it all) is passed on as it is.
    if (this.#request.body !== null && !this.#request.from.complete) Object.assign(out, discardRest(this.#request.from));
    if (this.#deps.closing()) out['connection'] = 'close';
    this.#status = status;
    this.#res.writeHead(status, out);
    this.#tap?.head(this.#attempt!.backend.name, status, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#tap?.data(chunk);
    if (this.#res.write(chunk)) return true;
    this.#onDrain ??= () => this.#attempt!.resume();
    this.#res.once('drain', this.#onDrain);
    return false;
  }

  onEnd(): void {
    this.#res.end();
    this.#tap?.end();
    this.#finish(this.#status);
  }

  onFail(failure: Failure, error: unknown, afterHead: boolean): void {
    this.#failure = failure;
    this.#tap?.fail(); // a fallback's answer comes from the shadow's backend: nothing to compare either
    if (afterHead) {
      this.#res.destroy(); // the answer is cut short: the client must not take it as complete
      return this.#finish(this.#status);
    }
    const [status, text, about] = failureAnswer[failure];
    if (about === 'backend' && this.#fallbackPossible()) return this.#fallBack(failure === 'breaker' ? 'breaker' : 'fallback');
    if (failure === 'overflow') this.#deps.metrics.rejected.inc({ backend: this.#attempt!.backend.name });
    // A body over the limit says which limit.
    const message = about === 'backend' ? `backend ${this.#attempt!.backend.name} ${text}` : error instanceof ClientBodyError ? error.message : text;
    sendJson(this.#res, status, message, this.#requestId, discardRest(this.#request.from));
    this.#finish(status);
  }

  #finish(status: number): void {
    const { metrics, logger } = this.#deps;
    const route = this.#route.name;
    const backend = this.#attempt!.backend.name;
    const reason = this.#reason;
    const seconds = (performance.now() - this.#started) / 1000;
    metrics.answered(route, backend, reason, status);
    metrics.duration.observe({ route, backend }, seconds);
    if (this.#route.live?.analysis.enabled) this.#deps.observer?.finished(this.#route, backend, status, this.#failure, seconds, reason);
    if (this.#deps.accessLog) {
      // Written from undici's callbacks, outside the request's context: its trace is named here.
      const trace = this.#request.trace ? traceFields(this.#request.trace) : undefined;
      logger.info(
        {
          reqId: this.#requestId,
          method: this.#request.method,
          path: this.#path,
          route,
          backend,
          reason,
          status,
          ms: Math.round(seconds * 10000) / 10,
          ...trace,
        },
        'proxied',
      );
    }
  }
}

/** The data plane: normalise, route, decide, forward (with fallback), stream the answer back. */
export function createProxy(deps: ProxyDeps) {
  return function proxy(req: IncomingMessage, res: ServerResponse, requestId: string, clientIp: string): void {
    // Answered once the body is in: closing a connection with unread input would reset it.
    if (deps.closing()) return afterBody(req, () => sendJson(res, 503, 'the gateway is shutting down', requestId, { connection: 'close' }));
    const started = performance.now();
    const method = req.method ?? 'GET';
    const target = normalizeTarget(req.url ?? '/');
    if (!target.ok) return sendJson(res, 400, `invalid request target: ${target.reason}`, requestId);
    const route = matchRoute(deps.table.routes, target.path, method);
    if (!route) return sendJson(res, 405, `method ${method} is not routed for ${target.path}`, requestId);

    const decision = decide(route, req.headers, target.query, deps);
    const limit = bodyLimit(route, deps.backends.get(decision.backend)!, deps.maxBodyBytes);
    // Refused before anything is forwarded; Node reads and drops the unread body, the connection stays usable.
    if (Number(req.headers['content-length'] ?? 0) > limit) return sendJson(res, 413, `request body is larger than ${limit} bytes`, requestId);
    const headers = upstreamRequestHeaders(req.headers, { clientIp, proto: 'http', host: req.headers.host, requestId });
    const request: ForwardRequest = { method, path: target.path + target.query, headers, body: limitedBody(req, limit), from: req, trace: hopParent() };
    // Nothing is asked or allocated for a route that does not mirror.
    const live = route.live;
    const tap = live !== undefined && live.shadow.percent > 0 ? deps.shadow?.mirror(route, request, decision.backend) : undefined;
    new Exchange(deps, res, request, { route, decision, requestId, path: target.path, started, tap }).start();
  };
}

export type Proxy = ReturnType<typeof createProxy>;
export type { RouteSpec };
