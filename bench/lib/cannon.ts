import { createRequire } from 'node:module';

// autocannon with what bench/lib/load.ts leaves out: methods and bodies, per-request headers,
// a fixed overall rate, answers counted by status instead of failing on non-2xx, and latency
// kept per response at sub-millisecond resolution (autocannon's own histogram stores whole
// milliseconds, and with a rate set it "corrects" coordinated omission with a 1 ms interval, which
// adds invented samples). Latencies are taken from its `response` event (hrtime, in ms).

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  overallRate?: number;
  ignoreCoordinatedOmission?: boolean;
  requests: { method?: string; setupRequest: (req: RawRequest) => RawRequest }[];
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
  throughput: { total: number };
}
interface Instance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
type Autocannon = (options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void) => Instance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface CannonSpec {
  /** Origin, e.g. http://127.0.0.1:8080 (loopback only). */
  url: string;
  method?: 'GET' | 'POST';
  /** Called per request. */
  path: () => string;
  headers?: () => Record<string, string>;
  body?: () => string;
  connections: number;
  duration: number;
  /** Requests per second over all connections (autocannon sends each second's share in a burst). */
  overallRate?: number;
  /** Status that counts as success (201 for the events API). */
  okStatus?: number;
  /** Called for every answer (e.g. to count requests while a long run is in progress). */
  onResponse?: (status: number) => void;
}

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface CannonResult {
  seconds: number;
  /** Answers with `okStatus` per second. */
  okPerSec: number;
  ok: number;
  /** Every answer by status code. */
  byStatus: Record<string, number>;
  notOk: number;
  errors: number;
  timeouts: number;
  bytesPerSec: number;
  /** Latency of the `okStatus` answers, in ms (floating point). */
  latency: Latency;
}

/** Grows as needed; holds latencies without one object per sample. */
export class Samples {
  private data = new Float64Array(1 << 16);
  private n = 0;
  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }
  get length(): number {
    return this.n;
  }
  /** A copy of the values so far (to pool several runs before summarising). */
  values(): Float64Array {
    return this.data.slice(0, this.n);
  }
  summary(): Latency {
    return summarize(this.data.subarray(0, this.n));
  }
}

/** Nearest-rank percentiles of the values (sorted in place). */
export function summarize(values: Float64Array): Latency {
  values.sort();
  const n = values.length;
  const at = (q: number) => (n === 0 ? Number.NaN : values[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  let sum = 0;
  for (const v of values) sum += v;
  return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: n ? values[n - 1]! : Number.NaN, mean: n ? sum / n : Number.NaN };
}

export async function runCannon(spec: CannonSpec): Promise<CannonResult> {
  const origin = new URL(spec.url);
  if (origin.hostname !== '127.0.0.1') throw new Error(`refusing to load ${spec.url}: loopback only`);
  const okStatus = spec.okStatus ?? 200;
  const samples = new Samples();
  const method = spec.method ?? 'GET';
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin.origin,
        connections: spec.connections,
        duration: spec.duration,
        timeout: 30,
        ...(spec.overallRate ? { overallRate: spec.overallRate, ignoreCoordinatedOmission: true } : {}),
        requests: [
          {
            method,
            setupRequest: (req) => {
              const headers = { ...req.headers, ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers?.() };
              return { ...req, method, path: spec.path(), headers, ...(spec.body ? { body: spec.body() } : {}) };
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === okStatus) samples.push(responseTime);
      spec.onResponse?.(statusCode);
    });
  });
  const byStatus: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) byStatus[code] = count;
  const ok = byStatus[String(okStatus)] ?? 0;
  const all = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    seconds: result.duration,
    okPerSec: ok / result.duration,
    ok,
    byStatus,
    notOk: all - ok,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerSec: result.throughput.total / result.duration,
    latency: samples.summary(),
  };
}
