// The admin API's routes: read each migrated route, change it through the stage machine, read the
// audit log, the shadow comparison and the analysis.
import { ErrorBody, ReplayResult } from '@cinemaabyss/api';
import { badRequest, conflict, notFound, type App } from '@cinemaabyss/http';
import Type, { type Static } from 'typebox';
import type { ChangeAction, ControlPlane, AnalysisReporter, ShadowReporter } from '../control/ports.ts';
import { ChangeError, abort, applyChanges, effectivePercent, kill, pause, promote, resume, unkill, type MigrationState } from '../control/state.ts';
import type { BreakerState } from '../resilience/breaker.ts';
import { actorOf, callerOf, type RouteAuth } from './auth.ts';
import type { EventsAdmin } from './events.ts';
import type { TrafficSampler } from './traffic.ts';
import {
  AnalysisQuery,
  AuditEntry,
  AuditQuery,
  ChangeBody,
  ChangeResult,
  EventsView,
  ReasonBody,
  ReplayBody,
  RouteParams,
  RouteView,
  ShadowReport,
  TrafficQuery,
  TrafficView,
  Caller,
  WindowVerdict,
} from './schemas.ts';

export interface AdminDeps {
  plane: ControlPlane;
  shadow: ShadowReporter;
  analysis: AnalysisReporter;
  /** The gateway's backends (its Backend map), for their breakers' states. */
  backends: ReadonlyMap<string, { breaker: { state(): BreakerState }; spec?: { url: string } }>;
  /** Live traffic per route and backend (the gateway's sampler of its own metrics). */
  traffic: Pick<TrafficSampler, 'view'>;
  /** The events service's counts, consumer and dead letters (GATEWAY_EVENTS_ADMIN_URL). */
  events: EventsAdmin;
}

type Transition = (current: MigrationState, reason: string, now: Date) => MigrationState;

/** The one-word changes: POST /admin/routes/:route/<action> with a reason. */
const ACTIONS: Record<Exclude<ChangeAction, 'set' | 'rollback' | 'data'>, { summary: string; transition: Transition }> = {
  promote: { summary: 'One step forward: off → shadow → canary steps → migrated', transition: (s, _r, now) => promote(s, now) },
  pause: { summary: 'No automatic step forward until resumed', transition: (s, reason, now) => pause(s, reason, now) },
  resume: { summary: 'Lifts a pause (a person’s or the analysis’s rollback)', transition: (s, _r, now) => resume(s, now) },
  abort: { summary: 'Back to the old backend for everyone (shadow kept), paused', transition: (s, reason, now) => abort(s, reason, now) },
  kill: { summary: 'Kill switch: everything to the old backend at once, settings kept', transition: (s, _r, now) => kill(s, now) },
  unkill: { summary: 'Lifts the kill switch', transition: (s, _r, now) => unkill(s, now) },
};

const viewer: RouteAuth = { role: 'viewer' };
const operator: RouteAuth = { role: 'operator' };
const denied = { 401: ErrorBody, 403: ErrorBody };
const tags = ['admin'];

/** A refused transition as the API answers it. */
function refusal(error: unknown, route: string): unknown {
  if (!(error instanceof ChangeError)) return error;
  switch (error.code) {
    case 'UNKNOWN_ROUTE':
      return notFound(`route '${route}'`);
    case 'VERSION_CONFLICT':
      return conflict(error.message);
    default:
      return badRequest(error.message);
  }
}

export function adminRoutes(app: App, deps: AdminDeps): void {
  const { plane } = deps;

  const view = (state: MigrationState): Static<typeof RouteView> => ({
    state,
    effectivePercent: effectivePercent(state),
    breakers: Object.fromEntries(
      [state.from, state.to].flatMap((name) => {
        const backend = deps.backends.get(name);
        return backend ? [[name, backend.breaker.state()]] : [];
      }),
    ),
  });

  const current = (route: string): MigrationState => {
    const state = plane.get(route);
    if (!state) throw notFound(`route '${route}'`);
    return state;
  };

  const change = async (
    route: string,
    action: ChangeAction,
    reason: string,
    actor: ReturnType<typeof actorOf>,
    transition: (s: MigrationState, now: Date) => MigrationState,
  ) => {
    current(route);
    try {
      const entry = await plane.change(route, transition, { actor, action, reason });
      return { ...view(entry.new), auditId: entry.id };
    } catch (error) {
      throw refusal(error, route);
    }
  };

  app.get(
    '/admin/routes',
    {
      config: viewer,
      schema: { summary: 'Every migrated route: its state, effective split and breakers', tags, response: { 200: Type.Array(RouteView), ...denied } },
    },
    async () => plane.list().map(view),
  );

  app.get(
    '/admin/routes/:route',
    { config: viewer, schema: { summary: 'One migrated route', tags, params: RouteParams, response: { 200: RouteView, 404: ErrorBody, ...denied } } },
    async (request) => view(current(request.params.route)),
  );

  app.patch(
    '/admin/routes/:route',
    {
      config: operator,
      schema: {
        summary: 'Changes some of the route’s settings, validated as a whole (400 and nothing changed otherwise)',
        tags,
        params: RouteParams,
        body: ChangeBody,
        response: { 200: ChangeResult, 404: ErrorBody, 409: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const { changes, reason } = request.body;
      return change(request.params.route, 'set', reason, actorOf(request), (s, now) => applyChanges(s, changes, now));
    },
  );

  for (const [action, { summary, transition }] of Object.entries(ACTIONS)) {
    app.post(
      `/admin/routes/:route/${action}`,
      {
        config: operator,
        schema: { summary, tags, params: RouteParams, body: ReasonBody, response: { 200: ChangeResult, 404: ErrorBody, 409: ErrorBody, ...denied } },
      },
      async (request) => {
        const { reason } = request.body;
        return change(request.params.route, action as ChangeAction, reason, actorOf(request), (s, now) => transition(s, reason, now));
      },
    );
  }

  app.get(
    '/admin/audit',
    { config: viewer, schema: { summary: 'The audit log, newest first', tags, querystring: AuditQuery, response: { 200: Type.Array(AuditEntry), ...denied } } },
    async (request) => {
      const { route, limit = 50, before } = request.query;
      return plane.audit({ limit, ...(route !== undefined ? { route } : {}), ...(before !== undefined ? { before } : {}) });
    },
  );

  app.get(
    '/admin/routes/:route/shadow',
    {
      config: viewer,
      schema: {
        summary: 'Shadow comparison: match rate per endpoint, the latest mismatches with their diffs',
        tags,
        params: RouteParams,
        response: { 200: ShadowReport, 404: ErrorBody, ...denied },
      },
    },
    async (request) => deps.shadow.report(current(request.params.route).route),
  );

  app.get(
    '/admin/routes/:route/analysis',
    {
      config: viewer,
      schema: {
        summary: 'Recent analysis windows, newest first, with their verdicts and the checks’ values',
        tags,
        params: RouteParams,
        querystring: AnalysisQuery,
        response: { 200: Type.Array(WindowVerdict), 404: ErrorBody, ...denied },
      },
    },
    async (request) => deps.analysis.report(current(request.params.route).route, request.query.limit ?? 20),
  );

  app.get(
    '/admin/whoami',
    {
      config: viewer,
      schema: { summary: 'The label and role of the token sent (the console disables changes for viewers)', tags, response: { 200: Caller, ...denied } },
    },
    async (request) => callerOf(request),
  );

  app.get(
    '/admin/traffic',
    {
      config: viewer,
      schema: {
        summary: 'Live traffic per route and backend (requests/s, error rate, p50/p99) over the last minutes, and each backend’s breaker and pool',
        tags,
        querystring: TrafficQuery,
        response: { 200: TrafficView, ...denied },
      },
    },
    async (request) => deps.traffic.view(request.query.since),
  );

  app.get(
    '/admin/events',
    {
      config: viewer,
      schema: {
        summary: 'The events service: counts per topic and type, the latest events, consumer lag and pending dead letters (503 when it cannot answer)',
        tags,
        response: { 200: EventsView, 503: ErrorBody, ...denied },
      },
    },
    async () => deps.events.view(),
  );

  app.post(
    '/admin/events/replay',
    {
      config: operator,
      schema: {
        summary: 'Replays dead letters on the events service: `id` that one, else every pending one (of `topic`, if given)',
        tags,
        body: ReplayBody,
        response: { 200: ReplayResult, 404: ErrorBody, 503: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const { reason, id, topic } = request.body;
      const replayed = await deps.events.replay({ id, topic });
      // Replays are not migration changes (the audit log is per route): the log keeps who and why.
      request.log.info({ actor: actorOf(request).label, reason, replayed: replayed.replayed.map((r) => r.id) }, 'dead letters replayed');
      return replayed;
    },
  );
}
