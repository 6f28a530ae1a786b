// The backfill's self-throttle (issue #12: "the copier throttles itself"), as a pure control law
// so that it is tested with made-up latencies; backfill.ts feeds it and sleeps what it says.
//
// The signal is the latency of the copier's own batch reads of the monolith's database, against a
// baseline it learns from its fastest reads. It needs no setting, sees every monolith replica's
// load at once (they share that database), and answers within one batch. The alternative, the
// monolith's read p99 from its /metrics, is per replica, lags by a scrape window and needs the
// monolith's address (ADR 0005).

/** Share of the rate kept when the monolith's database is slow (multiplicative decrease). */
const DECREASE = 0.5;
/** Share of the cap added back after each batch read at normal speed (additive increase). */
const INCREASE = 0.05;
/** The lowest rate, as a share of the cap: the backfill slows down but always finishes. */
const FLOOR = 1 / 16;
/**
 * How fast the baseline forgets its minimum, per batch read: a lasting change (a bigger
 * database, another disk) is learnt again within a few hundred batches, a burst of load is not.
 */
const BASELINE_DRIFT = 0.005;
/**
 * The signal is the median of the last reads: a lone slow read (a GC pause, a cold cache, a
 * scheduling hiccup on a busy host) is not load; half of them slow is. After a decrease, the rate
 * holds until the window holds only reads made at the lower rate.
 */
const WINDOW = 5;

export interface ThrottleSettings {
  /** Rows per second at most (MOVIES_BACKFILL_MAX_ROWS_PER_SECOND). */
  maxRowsPerSecond: number;
  /** Back off when the smoothed read latency exceeds this many times the baseline. */
  slowdownRatio: number;
}

export interface Throttle {
  /** Feeds one batch read's latency; returns the rate (rows/s) for the next batch. */
  observe(readMs: number): number;
  readonly rowsPerSecond: number;
}

/**
 * AIMD on the read latency: the rate halves whenever the median of the last reads is above
 * `slowdownRatio` × baseline (then holds for a window, so one slow spell is one halving, not a
 * collapse to the floor), and otherwise grows by 5 % of the cap per batch. The baseline is the
 * lowest such median seen, forgetting slowly.
 */
export function backfillThrottle(settings: ThrottleSettings): Throttle {
  const cap = settings.maxRowsPerSecond;
  let rate = cap;
  let baseline = Number.POSITIVE_INFINITY;
  const recent: number[] = [];
  let hold = 0;
  return {
    get rowsPerSecond() {
      return rate;
    },
    observe(readMs) {
      recent.push(readMs);
      if (recent.length > WINDOW) recent.shift();
      const sorted = [...recent].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      baseline = Math.min(median, baseline * (1 + BASELINE_DRIFT));
      if (hold > 0) hold--;
      else if (median > settings.slowdownRatio * baseline) {
        rate = Math.max(cap * FLOOR, rate * DECREASE);
        hold = WINDOW;
      } else rate = Math.min(cap, rate + cap * INCREASE);
      return rate;
    },
  };
}
