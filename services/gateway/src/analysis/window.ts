// The data plane's side of the analysis: per route, backend and window, what each replica saw.
// Called once per finished request on routes with analysis on (others never get here): O(1), and
// it allocates only when a window or a backend is first seen.
import type { Reason } from '../metrics.ts';
import type { Failure } from '../proxy/forward.ts';
import type { RouteSpec } from '../routing/table.ts';
import { BUCKETS, latencyBucket } from './histogram.ts';

/** What one replica counted for one backend of one route in one window. */
export interface WindowCounts {
  route: string;
  windowStart: number;
  backend: string;
  requests: number;
  errors: number;
  latency: number[];
  shadowCompared: number;
  shadowMismatched: number;
  shadowNoise: number;
}

/** Shadow comparison outcomes the analysis counts (dropped shadows and errors are not comparisons). */
export type ShadowResult = 'matched' | 'mismatched' | 'noise';

/** Called by the data plane when a proxied request is over (Exchange#finish). */
export interface RequestObserver {
  finished(route: RouteSpec, backend: string, status: number, failure: Failure | undefined, seconds: number, reason: Reason): void;
}

// Failures that are the backend's (or its saturation's); the others are the client's and count for nothing.
const BACKEND_FAILURES: ReadonlySet<Failure> = new Set(['breaker', 'overflow', 'connect', 'timeout', 'cut']);

interface Cell {
  requests: number;
  errors: number;
  latency: Int32Array;
  shadowCompared: number;
  shadowMismatched: number;
  shadowNoise: number;
}

interface RouteWindow {
  start: number;
  seconds: number;
  cells: Map<string, Cell>;
}

const newCell = (): Cell => ({ requests: 0, errors: 0, latency: new Int32Array(BUCKETS), shadowCompared: 0, shadowMismatched: 0, shadowNoise: 0 });

/** The start (epoch ms) of the window holding `nowMs`: windows are aligned to the epoch, the same on every replica. */
export const windowStartOf = (nowMs: number, windowSeconds: number): number => nowMs - (nowMs % (windowSeconds * 1000));

export class WindowCounter implements RequestObserver {
  readonly #now: () => number;
  readonly #current = new Map<string, RouteWindow>();
  #closed: WindowCounts[] = [];

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  finished(route: RouteSpec, backend: string, status: number, failure: Failure | undefined, seconds: number, reason: Reason): void {
    const live = route.live;
    if (!live?.analysis.enabled) return;
    if (failure !== undefined && !BACKEND_FAILURES.has(failure)) return; // the client's fault: nobody's error
    const window = this.#window(route.name, live.analysis.windowSeconds);
    if (reason === 'fallback' || reason === 'breaker') {
      // The new backend failed this request (the old one then answered it): its error, no latency of its own.
      const cell = this.#cell(window, live.to);
      cell.requests++;
      cell.errors++;
      return;
    }
    const cell = this.#cell(window, backend);
    cell.requests++;
    if (status >= 500 || failure !== undefined) cell.errors++;
    cell.latency[latencyBucket(seconds)]!++;
  }

  /** A shadow comparison on `route` (helper "shadow" calls this); counted with the route's new backend. */
  recordShadow(route: RouteSpec, result: ShadowResult): void {
    const live = route.live;
    if (!live?.analysis.enabled) return;
    const cell = this.#cell(this.#window(route.name, live.analysis.windowSeconds), live.to);
    cell.shadowCompared++;
    if (result === 'mismatched') cell.shadowMismatched++;
    else if (result === 'noise') cell.shadowNoise++;
  }

  /** Hands over the windows that are over (`all`: the open ones too, at shutdown) and forgets them. */
  drain(all = false): WindowCounts[] {
    const now = this.#now();
    for (const [route, window] of this.#current) {
      if (all || window.start + window.seconds * 1000 <= now) {
        this.#close(route, window);
        this.#current.delete(route);
      }
    }
    const closed = this.#closed;
    this.#closed = [];
    return closed;
  }

  #window(route: string, windowSeconds: number): RouteWindow {
    const start = windowStartOf(this.#now(), windowSeconds);
    const window = this.#current.get(route);
    // A clock stepping back adds to the current window rather than reopening a flushed one.
    if (window && window.start >= start) return window;
    if (window) this.#close(route, window);
    const next: RouteWindow = { start, seconds: windowSeconds, cells: new Map() };
    this.#current.set(route, next);
    return next;
  }

  #cell(window: RouteWindow, backend: string): Cell {
    let cell = window.cells.get(backend);
    if (!cell) window.cells.set(backend, (cell = newCell()));
    return cell;
  }

  #close(route: string, window: RouteWindow): void {
    for (const [backend, c] of window.cells) {
      this.#closed.push({
        route,
        windowStart: window.start,
        backend,
        requests: c.requests,
        errors: c.errors,
        latency: Array.from(c.latency),
        shadowCompared: c.shadowCompared,
        shadowMismatched: c.shadowMismatched,
        shadowNoise: c.shadowNoise,
      });
    }
  }
}
