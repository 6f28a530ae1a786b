// Live traffic per route and backend for the console: once a second the sampler reads the
// Prometheus counters the proxy already keeps (gateway_requests_total and
// gateway_request_duration_seconds) and stores the difference since the last reading. Nothing is
// added to the proxy's hot path; the price is the histogram's resolution (its buckets), so a
// p50/p99 here is interpolated within a bucket as Prometheus's histogram_quantile does.
import type { BreakerState } from '../resilience/breaker.ts';
import type { GatewayMetrics } from '../metrics.ts';

export interface TrafficPoint {
  at: string;
  rps: number;
  /** 5xx answers over all answers; null without requests. */
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface TrafficView {
  intervalMs: number;
  /** Points kept per series (the history's length). */
  keep: number;
  series: { route: string; backend: string; points: TrafficPoint[] }[];
  backends: { name: string; breaker: BreakerState; active: number; pending: number }[];
}

export interface TrafficSampler {
  /** The history, or only the points after `since` (an earlier point's `at`), so a poller fetches what is new. */
  view(since?: string): TrafficView;
  /** One reading now (the timer calls it; tests may too). */
  sample(): Promise<void>;
  close(): void;
}

interface Reading {
  requests: number;
  errors: number;
  /** Cumulative counts per bucket upper bound (seconds), +Inf last. */
  buckets: Map<number, number>;
}

interface SamplerOptions {
  metrics: Pick<GatewayMetrics, 'requests' | 'duration'>;
  backends: () => Iterable<{ name: string; breaker: { state(): BreakerState }; limiter: { active(): number; pending(): number } }>;
  intervalMs?: number;
  /** Points kept per series: 300 one-second points are the last five minutes. */
  keep?: number;
  now?: () => number;
}

const key = (route: string, backend: string) => `${route}\u0000${backend}`;

/** The q-quantile of bucket deltas (cumulative, ascending bounds), in milliseconds. */
export function quantileMs(q: number, buckets: [bound: number, cumulative: number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // Beyond the last finite bound nothing is known but that bound.
      if (bound === Infinity) return lowerBound * 1000;
      const inBucket = count - lowerCount;
      const share = inBucket === 0 ? 1 : (rank - lowerCount) / inBucket;
      return (lowerBound + (bound - lowerBound) * share) * 1000;
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound * 1000;
}

export function startTrafficSampler(options: SamplerOptions): TrafficSampler {
  const intervalMs = options.intervalMs ?? 1000;
  const keep = options.keep ?? 300;
  const now = options.now ?? Date.now;
  const series = new Map<string, { route: string; backend: string; points: TrafficPoint[] }>();
  // The counters start at zero with the gateway, which starts the sampler: no first reading needed.
  let previous = new Map<string, Reading>();
  let previousAt = now();

  const read = async (): Promise<Map<string, Reading>> => {
    const readings = new Map<string, Reading>();
    const entry = (route: string, backend: string): Reading => {
      const k = key(route, backend);
      let reading = readings.get(k);
      if (!reading) readings.set(k, (reading = { requests: 0, errors: 0, buckets: new Map() }));
      return reading;
    };
    for (const { labels, value } of (await options.metrics.requests.get()).values) {
      const reading = entry(String(labels['route']), String(labels['backend']));
      reading.requests += value;
      if (labels['status_class'] === '5xx') reading.errors += value;
    }
    for (const { labels, value, metricName } of (await options.metrics.duration.get()).values) {
      if (metricName !== 'gateway_request_duration_seconds_bucket') continue;
      const le = (labels as Record<string, string | number | undefined>)['le'];
      const bound = le === '+Inf' ? Infinity : Number(le);
      entry(String(labels['route']), String(labels['backend'])).buckets.set(bound, value);
    }
    return readings;
  };

  const sample = async () => {
    const at = now();
    const current = await read();
    const seconds = Math.max((at - previousAt) / 1000, 0.001);
    for (const [k, reading] of current) {
      const [route, backend] = k.split('\u0000') as [string, string];
      const before = previous.get(k);
      const requests = reading.requests - (before?.requests ?? 0);
      const errors = reading.errors - (before?.errors ?? 0);
      const deltas = [...reading.buckets]
        .sort(([a], [b]) => a - b)
        .map(([bound, count]): [number, number] => [bound, count - (before?.buckets.get(bound) ?? 0)]);
      let s = series.get(k);
      if (!s) series.set(k, (s = { route, backend, points: [] }));
      s.points.push({
        at: new Date(at).toISOString(),
        rps: Math.round((requests / seconds) * 100) / 100,
        errorRate: requests > 0 ? errors / requests : null,
        p50Ms: quantileMs(0.5, deltas),
        p99Ms: quantileMs(0.99, deltas),
      });
      if (s.points.length > keep) s.points.shift();
    }
    previous = current;
    previousAt = at;
  };

  // A reading that fails (it cannot, short of a bug) must not stop the next ones.
  const timer = setInterval(() => void sample().catch(() => {}), intervalMs);
  timer.unref();

  return {
    sample,
    view: (since) => ({
      intervalMs,
      keep,
      // Same ISO format on every point: string order is time order.
      series: [...series.values()].map((s) => ({ ...s, points: since === undefined ? [...s.points] : s.points.filter((p) => p.at > since) })),
      backends: [...options.backends()].map((b) => ({ name: b.name, breaker: b.breaker.state(), active: b.limiter.active(), pending: b.limiter.pending() })),
    }),
    close: () => clearInterval(timer),
  };
}
