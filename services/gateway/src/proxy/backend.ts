import { Pool } from 'undici';
import { Breaker, type BreakerState } from '../resilience/breaker.ts';
import { Limiter } from '../resilience/limiter.ts';
import type { BackendSpec } from '../routing/table.ts';

/** One upstream at run time: its keep-alive pool, its breaker and its concurrency cap. */
export interface Backend {
  name: string;
  spec: BackendSpec;
  pool: Pool;
  breaker: Breaker;
  limiter: Limiter;
}

export function createBackend(
  name: string,
  spec: BackendSpec,
  now: () => number,
  onBreakerChange: (backend: string, from: BreakerState, to: BreakerState) => void,
): Backend {
  const pool = new Pool(spec.url, {
    connections: spec.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: spec.connectTimeoutMs },
    headersTimeout: spec.firstByteTimeoutMs,
    bodyTimeout: spec.totalTimeoutMs,
  });
  const breaker = new Breaker({
    consecutiveFailures: spec.consecutiveFailures,
    baseEjectionMs: spec.baseEjectionMs,
    maxEjectionMs: spec.maxEjectionMs,
    halfOpenProbes: spec.halfOpenProbes,
    now,
  });
  breaker.onStateChange = (from, to) => onBreakerChange(name, from, to);
  const limiter = new Limiter({ maxConcurrent: spec.maxConcurrent, maxPending: spec.maxPending });
  return { name, spec, pool, breaker, limiter };
}
