// Mirroring in the data plane: the same request to the backend that is not serving it, the
// primary's answer copied as it streams to the client, and the comparison once both are complete.
// Shadows go straight to the other backend's undici pool: never through its breaker or its
// limiter (a failing shadow must not eject the backend or take the clients' slots), with their
// own bound per route (dropped, never queued, when full) and their own timeout.
import type { Span } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import type { Logger } from '@cinemaabyss/logging';
import type { Mismatch } from '../control/ports.ts';
import type { ShadowSettings } from '../control/state.ts';
import type { Backend } from '../proxy/backend.ts';
import type { ForwardRequest, UpstreamHeaders } from '../proxy/forward.ts';
import { endHop, startHop } from '../proxy/tracing.ts';
import type { RouteSpec } from '../routing/table.ts';
import { compareAnswers, diffBodies, type Answer } from './compare.ts';
import { endpointOf, type ShadowStats } from './stats.ts';

export const SHADOW_HEADER = 'x-cinemaabyss-shadow';

/** Request headers a stored mismatch keeps: never credentials (Authorization, Cookie, override tokens). */
const SAFE_HEADERS = ['accept', 'accept-language', 'content-type', 'user-agent', 'x-request-id'];

const isConditional = (request: ForwardRequest): boolean =>
  request.headers['if-none-match'] !== undefined || request.headers['if-modified-since'] !== undefined;

/** The serving backend's answer, as the client receives it (called by the proxy's exchange). */
export interface ShadowTap {
  head(backend: string, status: number, headers: UpstreamHeaders): void;
  data(chunk: Buffer): void;
  end(): void;
  /** The client got no complete answer: nothing to compare. */
  fail(): void;
}

/** Where mismatches are kept for every replica to read (the store in the database). */
export interface MismatchSink {
  add(mismatch: Mismatch): void;
}

export interface MirrorDeps {
  backends: Map<string, Backend>;
  stats: ShadowStats;
  sink?: MismatchSink | undefined;
  random: () => number;
  logger: Logger;
}

type CaptureState = 'pending' | 'done' | 'failed' | 'too-large';

/** One answer read into memory up to a limit. */
class Capture {
  state: CaptureState = 'pending';
  status = 0;
  contentType: string | undefined;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  readonly #limit: number;
  protected readonly pair: Pair;

  constructor(pair: Pair, limit: number) {
    this.pair = pair;
    this.#limit = limit;
  }

  protected takeHead(status: number, headers: UpstreamHeaders): void {
    this.status = status;
    const type = headers['content-type'];
    this.contentType = Array.isArray(type) ? type[0] : type;
  }

  /** False once the answer is over the limit (its chunks are no longer kept). */
  protected take(chunk: Buffer): boolean {
    if (this.state !== 'pending') return false;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limit) {
      this.#chunks.length = 0;
      this.state = 'too-large';
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  protected settle(state: CaptureState): void {
    if (this.state === 'pending') this.state = state;
    this.pair.settled();
  }

  answer(): Answer {
    return { status: this.status, contentType: this.contentType, body: Buffer.concat(this.#chunks, this.#bytes) };
  }
}

/** The primary's answer, tapped from the exchange that streams it to the client. */
class PrimaryCapture extends Capture implements ShadowTap {
  #settled = false;

  head(backend: string, status: number, headers: UpstreamHeaders): void {
    // A fallback served the request from the backend the shadow went to: there is nothing to compare.
    if (backend !== this.pair.serving) return this.fail();
    this.takeHead(status, headers);
  }

  data(chunk: Buffer): void {
    this.take(chunk);
  }

  end(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.settle(this.status === 0 ? 'failed' : 'done');
  }

  fail(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.state = 'failed';
    this.settle('failed');
  }
}

type DispatchController = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

function onShadowTimeout(capture: UpstreamCapture): void {
  capture.abort(new Error('shadow timeout'));
}

/** A shadow (or the noise sample) on its own: its timeout, its slot released when it settles. */
class UpstreamCapture extends Capture implements Dispatcher.DispatchHandler {
  #controller: DispatchController | undefined;
  #abortReason: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #hop: Span | undefined;
  #settled = false;
  readonly #release: () => void;

  constructor(pair: Pair, limit: number, release: () => void) {
    super(pair, limit);
    this.#release = release;
  }

  send(backend: Backend, request: ForwardRequest, timeoutMs: number): void {
    this.#timer = setTimeout(onShadowTimeout, timeoutMs, this);
    let headers: ForwardRequest['headers'] = { ...request.headers, [SHADOW_HEADER]: '1' };
    if (request.trace) ({ span: this.#hop, headers } = startHop(request.trace, backend, request.method, request.path, headers, true));
    backend.pool.dispatch({ method: request.method as Dispatcher.HttpMethod, path: request.path, headers, body: null }, this);
  }

  abort(reason: Error): void {
    if (this.#settled || this.#abortReason) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  onRequestStart(controller: DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(_controller: DispatchController, status: number, headers: UpstreamHeaders): void {
    if (status >= 200) this.takeHead(status, headers);
  }

  onResponseData(controller: DispatchController, chunk: Buffer): void {
    if (!this.take(chunk)) controller.abort(new Error('shadow answer too large'));
  }

  onResponseEnd(): void {
    this.#finish('done');
  }

  onResponseError(): void {
    this.#finish('failed');
  }

  #finish(state: CaptureState): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#release();
    endHop(this.#hop, this.status, state === 'failed' ? 'shadow failed' : undefined);
    this.settle(state);
  }
}

/** One mirrored request: the primary's answer, the shadow's, and perhaps the primary's second answer. */
class Pair {
  readonly route: RouteSpec;
  readonly request: ForwardRequest;
  readonly settings: ShadowSettings;
  readonly serving: string;
  readonly other: string;
  readonly primary: PrimaryCapture;
  shadow: UpstreamCapture | undefined;
  second: UpstreamCapture | undefined;
  #pending = 1;
  readonly #mirror: Mirror;

  constructor(mirror: Mirror, route: RouteSpec, request: ForwardRequest, serving: string, other: string) {
    this.#mirror = mirror;
    this.route = route;
    this.request = request;
    this.settings = route.live!.shadow;
    this.serving = serving;
    this.other = other;
    this.primary = new PrimaryCapture(this, this.settings.maxBodyBytes);
  }

  upstream(release: () => void): UpstreamCapture {
    this.#pending++;
    return new UpstreamCapture(this, this.settings.maxBodyBytes, release);
  }

  settled(): void {
    if (--this.#pending === 0) setImmediate(evaluate, this.#mirror, this);
  }
}

function evaluate(mirror: Mirror, pair: Pair): void {
  try {
    mirror.evaluate(pair);
  } catch (error) {
    mirror.logger.error({ err: error, route: pair.route.name }, 'shadow comparison failed');
  }
}

/** Creates the shadows of a route's requests and compares their answers. */
export class Mirror {
  readonly logger: Logger;
  readonly #deps: MirrorDeps;
  /** Shadows (and noise samples) in flight per route. */
  readonly #inFlight = new Map<string, number>();

  constructor(deps: MirrorDeps) {
    this.#deps = deps;
    this.logger = deps.logger;
  }

  /**
   * Called once per request of a route whose live state has shadow.percent > 0, after the decision.
   * Returns the tap for the primary's answer when the request is mirrored. Requests with a body are
   * never mirrored: replaying a write on the other backend would double its effect. Nor are
   * conditional ones: the movies service answers 304 to its own ETag where the monolith, which has
   * no validators, answers 200, a difference of caching and not of data.
   */
  mirror(route: RouteSpec, request: ForwardRequest, serving: string): ShadowTap | undefined {
    const live = route.live!;
    const settings = live.shadow;
    if (request.body !== null || isConditional(request) || !settings.methods.includes(request.method)) return undefined;
    const { random, backends, stats } = this.#deps;
    if (random() * 100 >= settings.percent) return undefined;
    const other = serving === live.to ? live.from : live.to;
    const target = backends.get(other);
    if (!target) return undefined;
    if (!this.#acquire(route.name, this.#bound(settings, target))) {
      stats.record(route.name, endpointOf(request.method, request.path), 'dropped');
      return undefined;
    }
    const pair = new Pair(this, route, request, serving, other);
    const release = this.#releaser(route.name);
    pair.shadow = pair.upstream(release);
    pair.shadow.send(target, request, settings.timeoutMs);
    const primary = backends.get(serving);
    if (primary && settings.twicePercent > 0 && random() * 100 < settings.twicePercent && this.#acquire(route.name, this.#bound(settings, primary))) {
      pair.second = pair.upstream(release);
      pair.second.send(primary, request, settings.timeoutMs);
    }
    return pair.primary;
  }

  /** Off the hot path, once every answer of the pair is complete. */
  evaluate(pair: Pair): void {
    const { primary, shadow, second, route, request, settings } = pair;
    if (primary.state === 'failed' || !shadow) return; // the client got no complete answer: nothing to compare
    const { stats, sink } = this.#deps;
    const endpoint = endpointOf(request.method, request.path);
    if (shadow.state === 'failed') return stats.record(route.name, endpoint, 'error');
    if (primary.state === 'too-large' || shadow.state === 'too-large') return stats.record(route.name, endpoint, 'too_large');
    const old = primary.answer();
    if (second?.state === 'done' && second.status === old.status) {
      stats.learn(
        route.name,
        endpoint,
        diffBodies(old, second.answer(), settings).map((d) => d.pointer),
      );
    }
    const answer = shadow.answer();
    const { verdict, diff } = compareAnswers(old, answer, settings, stats.noisy(route.name, endpoint));
    if (verdict === 'mismatched') {
      const mismatch: Mismatch = {
        at: new Date().toISOString(),
        route: route.name,
        endpoint,
        request: { method: request.method, path: request.path, headers: safeHeaders(request.headers) },
        primary: { backend: pair.serving, status: old.status },
        shadow: { backend: pair.other, status: answer.status },
        diff,
      };
      stats.mismatch(mismatch);
      sink?.add(mismatch);
    }
    stats.record(route.name, endpoint, verdict);
  }

  /** A shadow never takes more than half the target's keep-alive connections, whatever the route asks. */
  #bound(settings: ShadowSettings, target: Backend): number {
    return Math.min(settings.maxConcurrent, Math.max(1, Math.floor(target.spec.connections / 2)));
  }

  #acquire(route: string, bound: number): boolean {
    const n = this.#inFlight.get(route) ?? 0;
    if (n >= bound) return false;
    this.#inFlight.set(route, n + 1);
    return true;
  }

  #releaser(route: string): () => void {
    return () => this.#inFlight.set(route, (this.#inFlight.get(route) ?? 1) - 1);
  }
}

function safeHeaders(headers: ForwardRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SAFE_HEADERS) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
