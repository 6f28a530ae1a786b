import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Reason = 'default' | 'bucket' | 'random' | 'override' | 'fallback' | 'breaker';
const REASONS: readonly Reason[] = ['default', 'bucket', 'random', 'override', 'fallback', 'breaker'];
const REASON_INDEX = Object.fromEntries(REASONS.map((r, i) => [r, i])) as Record<Reason, number>;
// Status classes 0xx..9xx (Node answers nothing outside 100..999), by reason: one slot each.
const CLASSES = 10;
type RequestLabel = 'route' | 'backend' | 'status_class' | 'reason';
type DecisionLabel = 'route' | 'backend' | 'reason';

interface Saturation {
  name: string;
  limiter: { active(): number; pending(): number };
}

/** The gateway's Prometheus metrics, on the registry its /metrics serves. Pool gauges are read at scrape time. */
export function gatewayMetrics(registry: Registry, backends: () => Iterable<Saturation>) {
  const registers = [registry];
  const answers = new AnswerCounts();
  const requests: Counter<RequestLabel> = new Counter({
    name: 'gateway_requests_total',
    help: 'Proxied requests by route, backend that answered, status class and routing decision',
    labelNames: ['route', 'backend', 'status_class', 'reason'],
    registers,
    collect: (): void => answers.flush(requests, decisions),
  });
  const decisions: Counter<DecisionLabel> = new Counter({
    name: 'gateway_routing_decisions_total',
    help: 'Backend choices by route, backend and reason (bucket, random, override, fallback, breaker, default)',
    labelNames: ['route', 'backend', 'reason'],
    registers,
    collect: (): void => answers.flush(requests, decisions),
  });
  return {
    requests,
    decisions,
    /** Counts one proxied answer in `requests` and `decisions` (the data plane's path; see AnswerCounts). */
    answered: (route: string, backend: string, reason: Reason, status: number) => answers.count(route, backend, reason, status),
    duration: new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time to the end of the response, by route and backend',
      labelNames: ['route', 'backend'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    breakerState: new Gauge({
      name: 'gateway_breaker_state',
      help: 'Circuit breaker state per backend: 0 closed, 1 half-open, 2 open',
      labelNames: ['backend'],
      registers,
    }),
    active: new Gauge({
      name: 'gateway_backend_active_requests',
      help: 'Requests in flight per backend (pool saturation)',
      labelNames: ['backend'],
      registers,
      collect() {
        for (const b of backends()) this.set({ backend: b.name }, b.limiter.active());
      },
    }),
    pending: new Gauge({
      name: 'gateway_backend_pending_requests',
      help: 'Requests waiting for a slot per backend',
      labelNames: ['backend'],
      registers,
      collect() {
        for (const b of backends()) this.set({ backend: b.name }, b.limiter.pending());
      },
    }),
    rejected: new Counter({
      name: 'gateway_backend_overflow_total',
      help: 'Requests answered 503 at once because the backend was at its concurrency and pending caps',
      labelNames: ['backend'],
      registers,
    }),
    migrationPercent: new Gauge({
      name: 'gateway_migration_percent',
      help: 'Share of a route sent to its new backend now (0 when the migration is off, paused at 0, or killed)',
      labelNames: ['route', 'to'],
      registers,
    }),
    migrationStage: new Gauge({
      name: 'gateway_migration_stage',
      help: "A route's migration stage: 1 for its current stage (off, shadow, canary, migrated), 0 for the others",
      labelNames: ['route', 'stage'],
      registers,
    }),
    migrationPaused: new Gauge({
      name: 'gateway_migration_paused',
      help: '1 while a route is paused (no automatic step forward), else 0',
      labelNames: ['route'],
      registers,
    }),
    shadowRequests: new Counter({
      name: 'gateway_shadow_requests_total',
      help: 'Shadowed requests by route and outcome: matched, mismatched, noise (differs only where the serving backend differs from itself), dropped (over the bound), error (the shadow failed), too_large (not compared)',
      labelNames: ['route', 'result'],
      registers,
    }),
    analysisVerdicts: new Counter({
      name: 'gateway_analysis_verdicts_total',
      help: 'Analysis windows judged by the elected replica, by route and verdict (pass, fail, inconclusive)',
      labelNames: ['route', 'verdict'],
      registers,
    }),
    migrationRollbacks: new Counter({
      name: 'gateway_migration_rollbacks_total',
      help: 'Automatic rollbacks by route and failed check (error_rate, p99_ratio, mismatch_rate); one per check that failed',
      labelNames: ['route', 'check'],
      registers,
    }),
  };
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;

/**
 * The proxied answers not yet added to prom-client's counters, one slot per route, backend, status
 * class and reason, added when the counters are collected (a scrape, the admin traffic view).
 * prom-client builds, hashes and validates the label set on every inc() (~1 µs each, two per
 * request: a few % of a proxied request's CPU at full load, see bench/README.md "Analysis
 * overhead"); here a request costs two Map lookups and an array increment.
 */
class AnswerCounts {
  readonly #pending = new Map<string, Map<string, Float64Array>>();

  count(route: string, backend: string, reason: Reason, status: number): void {
    let byBackend = this.#pending.get(route);
    if (!byBackend) this.#pending.set(route, (byBackend = new Map()));
    let slots = byBackend.get(backend);
    if (!slots) byBackend.set(backend, (slots = new Float64Array(CLASSES * REASONS.length)));
    slots[Math.min(CLASSES - 1, Math.floor(status / 100)) * REASONS.length + REASON_INDEX[reason]]! += 1;
  }

  flush(requests: Counter<RequestLabel>, decisions: Counter<DecisionLabel>): void {
    for (const [route, byBackend] of this.#pending) {
      for (const [backend, slots] of byBackend) {
        for (let i = 0; i < slots.length; i++) {
          const n = slots[i]!;
          if (n === 0) continue;
          const reason = REASONS[i % REASONS.length]!;
          requests.inc({ route, backend, status_class: `${Math.floor(i / REASONS.length)}xx`, reason }, n);
          decisions.inc({ route, backend, reason }, n);
          slots[i] = 0;
        }
      }
    }
  }
}
