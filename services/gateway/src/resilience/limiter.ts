// Concurrency cap with a bounded FIFO queue, like Istio's connectionPool
// (http2MaxRequests / http1MaxPendingRequests): overflow fails at once so the
// caller can answer 503 instead of piling up latency.

export interface LimiterOptions {
  maxConcurrent: number;
  maxPending: number;
}

export class LimiterFullError extends Error {
  constructor(message = 'limiter full: too many concurrent and pending requests') {
    super(message);
    this.name = 'LimiterFullError';
  }
}

interface Waiter {
  resolve: (release: () => void) => void;
  detach: () => void;
}

export class Limiter {
  readonly #max: number;
  readonly #maxPending: number;
  #active = 0;
  // Invariant: non-empty only while #active === #max (release hands slots over directly).
  readonly #queue: Waiter[] = [];

  constructor(options: LimiterOptions) {
    const { maxConcurrent, maxPending } = options;
    if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be an integer ≥ 1');
    if (!(Number.isInteger(maxPending) && maxPending >= 0)) throw new RangeError('maxPending must be an integer ≥ 0');
    this.#max = maxConcurrent;
    this.#maxPending = maxPending;
  }

  active(): number {
    return this.#active;
  }

  pending(): number {
    return this.#queue.length;
  }

  tryAcquire(): (() => void) | undefined {
    if (this.#active >= this.#max) return undefined;
    this.#active++;
    return this.#release();
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const release = this.tryAcquire();
    if (release) return Promise.resolve(release);
    if (this.#queue.length >= this.#maxPending) return Promise.reject(new LimiterFullError());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i !== -1) this.#queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) {
        // Hand the slot straight to the oldest waiter so tryAcquire cannot barge in.
        next.detach();
        next.resolve(this.#release());
      } else {
        this.#active--;
      }
    };
  }
}
