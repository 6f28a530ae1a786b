// Per-backend circuit breaker modelled on Istio/Envoy outlier detection:
// N consecutive failures eject the backend for min(base × k, max) on the k-th
// ejection; afterwards a limited number of probes decide whether it returns.

export interface BreakerOptions {
  /** Consecutive 5xx / connect errors / timeouts that eject (≥ 1). */
  consecutiveFailures: number;
  baseEjectionMs: number;
  /** Cap on one ejection (Envoy's max_ejection_time); also the decay period, see ejections(). */
  maxEjectionMs: number;
  /** Outstanding probe tickets allowed while half-open (≥ 1). */
  halfOpenProbes: number;
  now: () => number;
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerTicket {
  success(): void;
  failure(): void;
  /** Neither outcome (the client went away): frees a probe slot, changes nothing else. */
  cancel(): void;
}

export class Breaker {
  /** Listener for metrics/logs; initialised from options, may be reassigned. Called after the state is updated. */
  onStateChange: ((from: BreakerState, to: BreakerState) => void) | undefined;

  readonly #opts: BreakerOptions;
  #state: BreakerState = 'closed';
  // Bumped on every transition; a ticket only counts if issued in the current generation.
  #generation = 0;
  #failures = 0;
  #ejections = 0;
  #openUntil = 0;
  #probes = 0;
  #closedSince: number;

  constructor(options: BreakerOptions) {
    const { consecutiveFailures, baseEjectionMs, maxEjectionMs, halfOpenProbes } = options;
    if (!(Number.isInteger(consecutiveFailures) && consecutiveFailures >= 1)) throw new RangeError('consecutiveFailures must be an integer ≥ 1');
    if (!(Number.isInteger(halfOpenProbes) && halfOpenProbes >= 1)) throw new RangeError('halfOpenProbes must be an integer ≥ 1');
    if (!(baseEjectionMs > 0 && maxEjectionMs >= baseEjectionMs)) throw new RangeError('need 0 < baseEjectionMs ≤ maxEjectionMs');
    this.#opts = options;
    this.onStateChange = options.onStateChange;
    this.#closedSince = options.now();
  }

  state(): BreakerState {
    this.#sync();
    return this.#state;
  }

  /**
   * Times ejected so far. Decay rule: once the breaker has stayed closed
   * continuously for maxEjectionMs, the count resets to 0 (Envoy instead
   * decrements it per healthy interval; this is the coarse equivalent).
   */
  ejections(): number {
    this.#sync();
    return this.#ejections;
  }

  admit(): BreakerTicket | undefined {
    this.#sync();
    if (this.#state === 'open') return undefined;
    if (this.#state === 'half-open') {
      if (this.#probes >= this.#opts.halfOpenProbes) return undefined;
      this.#probes++;
    }
    return this.#ticket(this.#generation);
  }

  #ticket(generation: number): BreakerTicket {
    let reported = false;
    const report = (ok: boolean | undefined): void => {
      if (reported) return;
      reported = true;
      this.#sync();
      if (generation !== this.#generation) return; // stale: state moved on since issue
      if (ok === undefined) {
        if (this.#state === 'half-open') this.#probes--;
        return;
      }
      if (this.#state === 'half-open') {
        this.#probes--;
        if (ok) this.#close();
        else this.#eject();
      } else if (ok) {
        this.#failures = 0;
      } else if (++this.#failures >= this.#opts.consecutiveFailures) {
        this.#eject();
      }
    };
    return { success: () => report(true), failure: () => report(false), cancel: () => report(undefined) };
  }

  // Lazy time-driven changes: open → half-open, and ejection-count decay.
  #sync(): void {
    const now = this.#opts.now();
    if (this.#state === 'open' && now >= this.#openUntil) {
      this.#probes = 0;
      this.#transition('half-open');
    } else if (this.#state === 'closed' && this.#ejections > 0 && now - this.#closedSince >= this.#opts.maxEjectionMs) {
      this.#ejections = 0;
    }
  }

  #eject(): void {
    this.#ejections++;
    const { baseEjectionMs, maxEjectionMs, now } = this.#opts;
    this.#openUntil = now() + Math.min(baseEjectionMs * this.#ejections, maxEjectionMs);
    this.#failures = 0;
    this.#probes = 0;
    this.#transition('open');
  }

  #close(): void {
    this.#failures = 0;
    this.#probes = 0;
    this.#closedSince = this.#opts.now();
    this.#transition('closed');
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.onStateChange?.(from, to);
  }
}
