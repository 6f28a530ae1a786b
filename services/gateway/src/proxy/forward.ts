import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Context, Span } from '@opentelemetry/api';
import { errors, type Dispatcher } from 'undici';
import { LimiterFullError } from '../resilience/limiter.ts';
import type { BreakerTicket } from '../resilience/breaker.ts';
import type { Backend } from './backend.ts';
import { ClientBodyError } from './body.ts';
import { endHop, startHop } from './tracing.ts';

/**
 * Why an attempt got no answer. The upstream's faults: `connect` (unreachable, or the connection
 * dropped once the request was sent) and `timeout`. The client's: `aborted`, `too-large`,
 * `malformed`, `unforwardable` (undici refuses to send the request as it is) and `slow-client`
 * (the time ran out while the client was still sending its body). `cut`: the upstream closed the connection while the request body was still being
 * sent, which is how a server refuses a body (its early answer is lost to the reset) and proves
 * nothing against it. Then `breaker` and `overflow`, the gateway's own refusals.
 */
export type Failure = 'breaker' | 'overflow' | 'connect' | 'timeout' | 'aborted' | 'too-large' | 'malformed' | 'unforwardable' | 'slow-client' | 'cut';

export interface ForwardRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Readable | null;
  /** The client's request this forwards (`complete` once its whole body has arrived). */
  from: IncomingMessage;
  /** With tracing on: the context every hop of this request (shadows included) continues. */
  trace: Context | undefined;
}

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/** What an attempt reports to the request it serves. */
export interface AttemptListener {
  /** Status and headers are in. Return false to drop this answer (its body is drained, not passed on). */
  onHead(status: number, headers: UpstreamHeaders): boolean;
  /** A body chunk; return false when the client is not keeping up (the attempt pauses until resume()). */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /** The attempt failed; `afterHead` when the head was already taken (the answer is cut short). */
  onFail(failure: Failure, error: unknown, afterHead: boolean): void;
}

type DispatchController = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

/** Only these count against a backend's breaker (with its 5xx answers): a client's fault never does. */
const UPSTREAM_FAULTS: ReadonlySet<Failure> = new Set(['connect', 'timeout']);

/** An error of the request on its way (before any answer), given how far the request got. */
function classify(error: unknown, started: boolean, sent: boolean): Failure {
  if (error instanceof ClientBodyError) return error.failure;
  if (error instanceof errors.RequestContentLengthMismatchError) return 'malformed';
  // Raised before anything is sent: the backend never saw the request.
  if (error instanceof errors.InvalidArgumentError || error instanceof errors.NotSupportedError) return 'unforwardable';
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) return 'timeout';
  return started && !sent ? 'cut' : 'connect';
}

function onTotalTimeout(attempt: Attempt): void {
  const error = Object.assign(new Error(`total timeout of ${attempt.backend.spec.totalTimeoutMs} ms`), { name: 'TimeoutError' });
  attempt.abort(error);
}

/**
 * One try at one backend: a slot from its limiter (or an immediate overflow), admission by its
 * breaker, then the request on undici's dispatch API, whose callbacks write straight to the
 * listener (no intermediate stream or promise per response). 5xx answers and connect errors and
 * timeouts count against the breaker, as in Istio's outlier detection, and nothing the client
 * causes (see Failure); the slot is released when the answer has been read to its end or failed.
 */
export class Attempt implements Dispatcher.DispatchHandler {
  readonly backend: Backend;
  readonly #request: ForwardRequest;
  readonly #listener: AttemptListener;
  #controller: DispatchController | undefined;
  #waiting: AbortController | undefined;
  #release: (() => void) | undefined;
  #ticket: BreakerTicket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #abortReason: Error | undefined;
  #hop: Span | undefined;
  #status = 0;
  #sent = false;
  #head = false;
  #dropped = false;
  #settled = false;

  constructor(backend: Backend, request: ForwardRequest, listener: AttemptListener) {
    this.backend = backend;
    this.#request = request;
    this.#listener = listener;
  }

  start(): void {
    // The total timeout covers the wait for a slot too.
    this.#timer = setTimeout(onTotalTimeout, this.backend.spec.totalTimeoutMs, this);
    const release = this.backend.limiter.tryAcquire();
    if (release) return this.#admit(release);
    // Slow path, only when the backend is at its concurrency cap: wait in its bounded queue.
    const waiting = new AbortController();
    this.#waiting = waiting;
    this.backend.limiter.acquire(waiting.signal).then(
      (granted) => {
        this.#waiting = undefined;
        if (this.#abortReason) {
          granted();
          this.#fail(this.#abortFailure(), this.#abortReason);
        } else {
          this.#admit(granted);
        }
      },
      (error: unknown) => {
        this.#waiting = undefined;
        this.#fail(error instanceof LimiterFullError ? 'overflow' : this.#abortFailure(), error);
      },
    );
  }

  /** Gives up on this attempt (client gone, or the total timeout). */
  abort(reason: Error): void {
    if (this.#settled || this.#abortReason) return;
    this.#abortReason = reason;
    if (this.#waiting) this.#waiting.abort(reason);
    else this.#controller?.abort(reason); // before onRequestStart, it aborts there
  }

  resume(): void {
    this.#controller?.resume();
  }

  #admit(release: () => void): void {
    const ticket = this.backend.breaker.admit();
    if (!ticket) {
      release();
      return this.#fail('breaker', undefined);
    }
    this.#release = release;
    this.#ticket = ticket;
    const { method, path, body, trace } = this.#request;
    let { headers } = this.#request;
    if (trace) ({ span: this.#hop, headers } = startHop(trace, this.backend, method, path, headers, false));
    this.backend.pool.dispatch({ method: method as Dispatcher.HttpMethod, path, headers, body }, this);
  }

  onRequestStart(controller: DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  /** The whole request, body included, is written. */
  onRequestSent(): void {
    this.#sent = true;
  }

  onResponseStart(_controller: DispatchController, status: number, headers: UpstreamHeaders): void {
    if (status < 200) return; // 1xx informational: Node answers Expect itself
    this.#head = true;
    this.#status = status;
    if (status >= 500) this.#ticket!.failure();
    else this.#ticket!.success();
    this.#dropped = !this.#listener.onHead(status, headers);
  }

  onResponseData(controller: DispatchController, chunk: Buffer): void {
    if (!this.#dropped && !this.#listener.onData(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.#settle();
    endHop(this.#hop, this.#status);
    if (!this.#dropped) this.#listener.onEnd();
  }

  onResponseError(_controller: DispatchController | null, error: Error): void {
    const aborted = this.#abortReason;
    const failure: Failure = aborted ? this.#abortFailure() : classify(error, this.#controller !== undefined, this.#sent);
    if (!this.#head) {
      if (UPSTREAM_FAULTS.has(failure)) this.#ticket?.failure();
      else this.#ticket?.cancel();
    }
    this.#settle();
    endHop(this.#hop, this.#status, failure);
    if (!this.#dropped) this.#listener.onFail(failure, aborted ?? error, this.#head);
  }

  #abortFailure(): Failure {
    if (this.#abortReason?.name !== 'TimeoutError') return 'aborted';
    // Out of time while still sending a body the client has not finished: the client is slow.
    return this.#controller && !this.#sent && !this.#request.from.complete ? 'slow-client' : 'timeout';
  }

  #fail(failure: Failure, error: unknown): void {
    this.#settle();
    this.#listener.onFail(failure, error, false);
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#release?.();
  }
}
