import { Agent, request } from 'node:http';
import { Samples, type Latency } from './cannon.ts';

// An open-loop load generator: requests leave on a fixed schedule (one every 1000/rate ms), not
// when a connection becomes free, and each one's latency counts from the moment it was issued,
// including any wait for a free keep-alive connection. That is the "at N requests per second"
// condition of a latency target. autocannon's overallRate instead lets every connection send its
// share of each second back to back at the start of the second, then idle: bursts, not a rate.

export interface PacedSpec {
  url: string;
  method?: 'GET' | 'POST';
  path: () => string;
  headers?: () => Record<string, string>;
  body?: () => string;
  /** Requests per second. */
  rate: number;
  /** Seconds of sending. */
  duration: number;
  /** Most keep-alive connections (requests wait for one beyond that). */
  connections: number;
  okStatus?: number;
}

export interface PacedResult {
  /** Requests issued per second (the schedule kept). */
  sentPerSec: number;
  sent: number;
  ok: number;
  byStatus: Record<string, number>;
  errors: number;
  /** Latency of the `okStatus` answers, ms. */
  latency: Latency;
  /** Every one of those latencies, ms (to pool several runs). */
  latencies: Float64Array;
  /** Greatest delay of a send behind its schedule, ms (the generator's own timer lag). */
  maxLagMs: number;
}

export async function runPaced(spec: PacedSpec): Promise<PacedResult> {
  const origin = new URL(spec.url);
  if (origin.hostname !== '127.0.0.1') throw new Error(`refusing to load ${spec.url}: loopback only`);
  const okStatus = spec.okStatus ?? 200;
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections });
  const samples = new Samples();
  const byStatus: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  let maxLagMs = 0;
  const total = Math.round(spec.rate * spec.duration);
  const interval = 1000 / spec.rate;
  let settleAll: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (settleAll = resolve));

  const finish = () => {
    inFlight--;
    if (sent === total && inFlight === 0) settleAll();
  };
  const send = () => {
    const issued = performance.now();
    const body = spec.body?.();
    const headers: Record<string, string | number> = { ...spec.headers?.() };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    sent++;
    inFlight++;
    const req = request(
      { host: origin.hostname, port: origin.port, method: spec.method ?? 'GET', path: spec.path(), headers, agent, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          if (status === okStatus) samples.push(performance.now() - issued);
          finish();
        });
        res.on('error', () => {
          errors++;
          finish();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors++;
      finish();
    });
    req.end(body);
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything due by now goes out; the schedule does not slip when a tick is late.
      while (sent < total && start + sent * interval <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + sent * interval));
        send();
      }
      if (sent >= total) return resolve();
      const next = start + sent * interval - performance.now();
      setTimeout(tick, Math.max(0, Math.min(next, 1)));
    };
    tick();
  });
  const sendingSeconds = Math.max(spec.duration, (performance.now() - start) / 1000);
  if (inFlight > 0) await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, 35_000))]);
  agent.destroy();
  const latencies = samples.values();
  const latency = samples.summary();
  return {
    latencies,
    sentPerSec: sent / sendingSeconds,
    sent,
    ok: byStatus[okStatus] ?? 0,
    byStatus,
    errors,
    latency,
    maxLagMs: Math.round(maxLagMs * 100) / 100,
  };
}
