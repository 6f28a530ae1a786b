import { ErrorBody } from '@cinemaabyss/api';
import type { App } from '@cinemaabyss/http';
import Type from 'typebox';
import { PHASES, type DataMigration } from './procedure.ts';

// The data migration's operator endpoints, on the movies service's own port (the gateway routes
// /api/movies here, never /admin). The gateway's admin API drives them with a token and an audit.

const Count = Type.Integer({ minimum: 0 });
export const ReconcileReport = Type.Object({
  at: Type.String({ format: 'date-time' }),
  ms: Count,
  rows: Type.Object({ monolith: Count, movies: Count }),
  ranges: Type.Object({ compared: Count, differing: Count }),
  drift: Type.Object({ missing: Count, extra: Count, different: Count, total: Count, ids: Type.Array(Type.Integer()) }),
  repaired: Count,
});
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
export const DataStatus = Type.Object({
  phase: Type.Integer({ minimum: 0, maximum: PHASES.length - 1 }),
  name: Type.String({ enum: [...PHASES] }),
  store: Nullable(Type.String({ enum: ['postgres', 'pglite'] })),
  backfill: Type.Object({ cursor: Count, target: Nullable(Count), copied: Count, done: Type.Boolean() }),
  capture: Type.Object({ running: Type.Boolean(), lagRecords: Nullable(Count), lastLagSeconds: Nullable(Type.Number()) }),
  reconcile: Nullable(ReconcileReport),
  blockers: Nullable(Type.Array(Type.String())),
});
export const PhaseChange = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) },
  { additionalProperties: false },
);

export function dataAdminRoutes(app: App, data: DataMigration): void {
  const tags = ['admin'];
  app.get(
    '/admin/data',
    { schema: { summary: 'The data migration: phase, backfill progress, change-capture lag, last reconciliation, what blocks the next phase', tags, response: { 200: DataStatus } } },
    () => data.status(),
  );
  for (const [action, summary] of [
    ['advance', 'One phase forward; refused (409) while anything blocks it (a fresh reconciliation included)'],
    ['back', 'One phase back (phase 6 is final; going back before phase 3 drops the copy)'],
  ] as const) {
    app.post(
      `/admin/data/${action}`,
      { schema: { summary, tags, body: PhaseChange, response: { 200: DataStatus, 409: ErrorBody } } },
      (request) => data[action](request.body.reason),
    );
  }
  app.post(
    '/admin/data/reconcile',
    {
      schema: {
        summary: 'Compares the stores now (counts, checksums per id range, then rows); `repair` copies the newer version onto the other side',
        tags,
        querystring: Type.Object({ repair: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: ReconcileReport, 409: ErrorBody },
      },
    },
    (request) => data.reconcile(request.query.repair ?? false),
  );
}
