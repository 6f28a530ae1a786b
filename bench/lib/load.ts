import { request } from 'node:http';
import { createRequire } from 'node:module';
import type { CpuUse } from './cpu.ts';

// autocannon ships no types and only @types/autocannon would add them: this is the part we use.
interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: Histogram;
  requests: Histogram & { total: number };
  throughput: Histogram & { total: number };
}
interface RawRequest {
  path: string;
  headers?: Record<string, string>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests?: { setupRequest: (req: RawRequest) => RawRequest; onResponse?: (status: number) => void }[];
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface RunResult {
  requestsPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  bytesPerSec: number;
  /** Filled in by the caller, which knows the processes involved. */
  cpu?: CpuUse | undefined;
}

export interface LoadSpec {
  url: string;
  /** Path of each request; called per request, so it may differ every time. */
  path: () => string;
  connections: number;
  duration: number;
  /** Request headers (e.g. If-None-Match). */
  headers?: Record<string, string>;
  /** The one status every answer must have, when it is not a 2xx (a 304 run). */
  status?: number;
}

/** One fixed-duration run against 127.0.0.1; any error, timeout or non-2xx answer (or, with `status`, any other status) fails it. */
export async function runLoad(spec: LoadSpec): Promise<RunResult> {
  if (new URL(spec.url).hostname !== '127.0.0.1') throw new Error(`refusing to load ${spec.url}: loopback only`);
  let unexpected = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    // The full list can queue for seconds behind 9 others on one core: a timeout would be an error.
    timeout: 60,
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: spec.path(), headers: { ...req.headers, ...spec.headers } }),
        // Only when needed: with an onResponse, autocannon collects every body.
        ...(spec.status === undefined ? {} : { onResponse: (status: number) => status !== spec.status && (unexpected += 1) }),
      },
    ],
  });
  const failures = result.errors + result.timeouts + (spec.status === undefined ? result.non2xx : unexpected);
  if (result.requests.total === 0) throw new Error(`no request completed in ${spec.duration} s`);
  if (failures > 0) {
    throw new Error(
      `load run had ${result.errors} errors, ${result.timeouts} timeouts, ${spec.status === undefined ? `${result.non2xx} non-2xx` : `${unexpected} non-${spec.status}`} answers`,
    );
  }
  return {
    // Completed requests over the measured time, not the mean of 1-second samples.
    requestsPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    bytesPerSec: result.throughput.total / result.duration,
  };
}

/**
 * Waits until the service has worked off what the last run left queued: autocannon stops sending
 * at the end of a run, but the service still answers the requests in flight (10 full lists on
 * PGlite take seconds), which would otherwise be measured as part of the next run. Readiness runs
 * a query, so it queues behind them in the PGlite queue or the PostgreSQL pool.
 */
export async function drain(url: string): Promise<void> {
  const res = await fetch(`${url}/api/movies/ready`, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`service not ready after a run: HTTP ${res.status}`);
  await res.arrayBuffer();
}

/** Body size in bytes of one answer, uncompressed as autocannon receives it. */
export function bodySize(url: string): Promise<{ bytes: number; items: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        resolve({ bytes: body.length, items: Array.isArray(parsed) ? parsed.length : 1 });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
