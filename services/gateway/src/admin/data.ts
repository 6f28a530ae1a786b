// The movies' data migration (issue #12) through the admin API: the movies service runs the
// procedure (its own /admin/data endpoints); the gateway adds the operator's token, the audit and,
// at phase 5, the route change that sends all of /api/movies (writes included) to the service.
import { DataStatus, ErrorBody, PhaseChange, WRITES_PHASE } from '@cinemaabyss/api';
import { conflict, unavailable, type App } from '@cinemaabyss/http';
import { request } from 'undici';
import type { ControlPlane } from '../control/ports.ts';
import { applyChanges, noted, restored } from '../control/state.ts';
import { actorOf, type RouteAuth } from './auth.ts';

export interface DataDeps {
  plane: ControlPlane;
  /** The migrated route whose data moves ('movies'), and its new backend's base URL. */
  route: string;
  url: string;
}

const viewer: RouteAuth = { role: 'viewer' };
const operator: RouteAuth = { role: 'operator' };
const denied = { 401: ErrorBody, 403: ErrorBody };
const tags = ['data'];
// An advance runs a fresh reconciliation on the movies service: seconds at 100,000 movies.
const TIMEOUT_MS = 120_000;

/** Calls the movies service's procedure; its refusals (409, 400) come back as they are. */
async function procedure(url: string, method: 'GET' | 'POST', path: string, reason?: string): Promise<DataStatus> {
  const answer = await request(`${url}/admin/data${path}`, {
    method,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    ...(reason !== undefined ? { body: JSON.stringify({ reason }), headers: { 'content-type': 'application/json' } } : {}),
  }).catch((error: unknown) => {
    throw unavailable(`the movies service is unreachable (${(error as Error).message})`);
  });
  const body = (await answer.body.json().catch(() => ({}))) as DataStatus & { error?: string };
  if (answer.statusCode === 409) throw conflict(body.error ?? 'refused by the movies service');
  if (answer.statusCode !== 200) throw unavailable(`the movies service answered ${answer.statusCode}: ${body.error ?? ''}`);
  return body;
}

export function dataRoutes(app: App, deps: DataDeps): void {
  const { plane, route, url } = deps;
  app.get(
    '/admin/data',
    {
      config: viewer,
      schema: {
        summary: 'The data migration: phase, backfill, change-capture lag, drift, what blocks the next phase',
        tags,
        response: { 200: DataStatus, 503: ErrorBody, ...denied },
      },
    },
    () => procedure(url, 'GET', ''),
  );

  app.post(
    '/admin/data/advance',
    {
      config: operator,
      schema: {
        summary:
          'One phase forward (409 with the blockers while anything stops it); entering phase 5 also sends all of the route, writes included, to the movies service',
        tags,
        body: PhaseChange,
        response: { 200: DataStatus, 409: ErrorBody, 503: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const before = await procedure(url, 'GET', '');
      if (before.phase + 1 === 6 && plane.get(route)?.stage !== 'migrated') {
        throw conflict(`route '${route}' must be migrated (all traffic to the movies service) before the monolith retires`);
      }
      const after = await procedure(url, 'POST', '/advance', request.body.reason);
      const reason = `data phase ${before.phase} → ${after.phase} (${after.name}): ${request.body.reason}`;
      const actor = actorOf(request);
      await plane.change(route, after.phase === WRITES_PHASE ? (s, now) => applyChanges(s, { stage: 'migrated' }, now) : noted, {
        actor,
        action: 'data',
        reason,
      });
      return after;
    },
  );

  app.post(
    '/admin/data/back',
    {
      config: operator,
      schema: {
        summary: 'One phase back (phase 6 is final); leaving phase 5 gives the route back the split it had before',
        tags,
        body: PhaseChange,
        response: { 200: DataStatus, 409: ErrorBody, 503: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const after = await procedure(url, 'POST', '/back', request.body.reason);
      const reason = `data phase ${after.phase + 1} → ${after.phase} (${after.name}): ${request.body.reason}`;
      const actor = actorOf(request);
      if (after.phase === WRITES_PHASE - 1) {
        // The route's state before phase 5 began: the `old` of the audit entry that entered it.
        const entries = await plane.audit({ route, limit: 200 });
        const entered = entries.find((e) => e.action === 'data' && e.reason.startsWith(`data phase ${WRITES_PHASE - 1} → ${WRITES_PHASE} `));
        await plane.change(route, (s, now) => (entered ? restored(s, entered.old, now) : noted(s, now)), { actor, action: 'data', reason });
      } else {
        await plane.change(route, noted, { actor, action: 'data', reason });
      }
      return after;
    },
  );
}
