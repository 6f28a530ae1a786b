import { DataStatus, ErrorBody, PhaseChange, ReconcileReport } from '@cinemaabyss/api';
import type { App } from '@cinemaabyss/http';
import Type from 'typebox';
import type { DataMigration } from './procedure.ts';

// The data migration's operator endpoints, on the movies service's own port (the gateway routes
// /api/movies here, never /admin). The gateway's admin API drives them with a token and an audit.

export function dataAdminRoutes(app: App, data: DataMigration): void {
  const tags = ['admin'];
  app.get(
    '/admin/data',
    {
      schema: {
        summary: 'The data migration: phase, backfill progress, change-capture lag, last reconciliation, what blocks the next phase',
        tags,
        response: { 200: DataStatus },
      },
    },
    () => data.status(),
  );
  for (const [action, summary] of [
    ['advance', 'One phase forward; refused (409) while anything blocks it (a fresh reconciliation included)'],
    ['back', 'One phase back (phase 6 is final; going back before phase 3 drops the copy)'],
  ] as const) {
    app.post(`/admin/data/${action}`, { schema: { summary, tags, body: PhaseChange, response: { 200: DataStatus, 409: ErrorBody } } }, (request) =>
      data[action](request.body.reason),
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
