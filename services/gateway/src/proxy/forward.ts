import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { LimiterFullError } from '../resilience/limiter.ts';
import type { Backend } from './backend.ts';

export type Failure = 'breaker' | 'overflow' | 'connect' | 'timeout' | 'aborted';

export type Outcome =
  | { ok: true; response: Dispatcher.ResponseData; done: () => void }
  | { ok: false; failure: Failure; error?: unknown };

export interface ForwardRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Readable | null;
  signal: AbortSignal;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

function classify(error: unknown, signal: AbortSignal): Failure {
  if (signal.aborted) return (signal.reason as Error | undefined)?.name === 'TimeoutError' ? 'timeout' : 'aborted';
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (CONNECT_ERRORS.has(code)) return 'connect';
  return 'connect';
}

/**
 * One attempt at one backend: a slot from its limiter (or an immediate overflow), admission by its
 * breaker, then the request. 5xx answers and connect errors/timeouts count against the breaker, as
 * in Istio's outlier detection. `done` releases the slot once the response body is finished.
 */
export async function forward(backend: Backend, request: ForwardRequest): Promise<Outcome> {
  let release = backend.limiter.tryAcquire();
  if (!release) {
    try {
      release = await backend.limiter.acquire(request.signal);
    } catch (error) {
      return error instanceof LimiterFullError ? { ok: false, failure: 'overflow' } : { ok: false, failure: classify(error, request.signal) };
    }
  }
  const ticket = backend.breaker.admit();
  if (!ticket) {
    release();
    return { ok: false, failure: 'breaker' };
  }
  try {
    const response = await backend.pool.request({
      method: request.method as Dispatcher.HttpMethod,
      path: request.path,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
    if (response.statusCode >= 500) ticket.failure();
    else ticket.success();
    return { ok: true, response, done: release };
  } catch (error) {
    const failure = classify(error, request.signal);
    if (failure === 'aborted') ticket.cancel(); // the client went away: not the backend's fault
    else ticket.failure();
    release();
    return { ok: false, failure, error };
  }
}
