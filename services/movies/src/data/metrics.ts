import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReconcileReport } from '@cinemaabyss/api';

/** The data migration's metrics, on the movies service's /metrics. */
export function dataMetrics(registry: Registry) {
  const registers = [registry];
  const phase = new Gauge({ name: 'movies_data_phase', help: 'Phase of the data migration (0 shared … 6 retired)', registers });
  const copied = new Counter({ name: 'movies_backfill_rows_total', help: 'Movies copied by the backfill on this replica', registers });
  const progress = new Gauge({ name: 'movies_backfill_progress_ratio', help: 'Backfill progress (1 when done)', registers });
  const rate = new Gauge({
    name: 'movies_backfill_rate_limit_rows_per_second',
    help: "The backfill's current rate limit on this replica: the cap, lower while the monolith's database answers slowly",
    registers,
  });
  const captureLag = new Histogram({
    name: 'movies_change_capture_lag_seconds',
    help: "From a monolith change's commit to its copy in the own store",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const drift = new Gauge({ name: 'movies_reconcile_drift_rows', help: 'Rows that differed between the stores at the last reconciliation', registers });
  const repaired = new Counter({ name: 'movies_reconcile_repaired_total', help: 'Rows the reconciler repaired', registers });
  const duration = new Gauge({ name: 'movies_reconcile_duration_seconds', help: 'Duration of the last reconciliation', registers });
  return {
    phase,
    captureLag,
    copying(rows: number, rowsPerSecond: number) {
      copied.inc(rows);
      rate.set(rowsPerSecond);
    },
    backfill(cursor: number, target: number | null, done: boolean) {
      progress.set(done ? 1 : target ? Math.min(cursor / target, 1) : 0);
    },
    observeReconcile(report: ReconcileReport) {
      drift.set(report.drift.total);
      repaired.inc(report.repaired);
      duration.set(report.ms / 1000);
    },
  };
}
