// Request and answer shapes of the admin API (TypeBox: validation, serialisation and OpenAPI from one place).
import { ConsumerStatus, DeadLetter, EventStats, Name, ProcessedEvent, ReplayQuery } from '@cinemaabyss/api';
import Type from 'typebox';
import { MigrationChanges, MigrationState } from '../control/state.ts';

/** A route's name as the route table allows it. */
export const RouteParams = Type.Object({ route: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) });

const Reason = Name({ maxLength: 500, description: 'Why: kept in the audit log' });

export const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const ChangeBody = Type.Object({ changes: MigrationChanges, reason: Reason }, { additionalProperties: false });

export const Caller = Type.Object({ label: Type.String(), role: Type.String({ enum: ['viewer', 'operator'] }) }, { title: 'Caller' });

const BreakerState = Type.String({ enum: ['closed', 'half-open', 'open'] });

export const RouteView = Type.Object(
  {
    state: MigrationState,
    effectivePercent: Type.Integer({ minimum: 0, maximum: 100, description: 'Share of the route now served by the new backend' }),
    breakers: Type.Record(Type.String(), BreakerState, { description: "The circuit breakers of the route's two backends" }),
  },
  { title: 'RouteView' },
);

export const Actor = Type.Object({ kind: Type.String({ enum: ['person', 'analysis'] }), label: Type.String() });

export const AuditEntry = Type.Object(
  {
    id: Type.Integer(),
    at: Type.String({ format: 'date-time' }),
    actor: Actor,
    route: Type.String(),
    action: Type.String({ enum: ['set', 'promote', 'pause', 'resume', 'abort', 'kill', 'unkill', 'rollback', 'data'] }),
    old: MigrationState,
    new: MigrationState,
    reason: Type.String(),
  },
  { title: 'AuditEntry' },
);

export const ChangeResult = Type.Object(
  { ...RouteView.properties, auditId: Type.Integer({ description: 'The audit entry of this change' }) },
  { title: 'ChangeResult' },
);

export const AuditQuery = Type.Object({
  route: Type.Optional(RouteParams.properties.route),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Entries older than this id (paging)' })),
});

const Diff = Type.Object({ pointer: Type.String(), old: Type.Unknown(), new: Type.Unknown() });

export const ShadowReport = Type.Object(
  {
    matchRate: Type.Union([Type.Number(), Type.Null()], { description: 'Matched over compared, noise excluded; null before any comparison' }),
    endpoints: Type.Array(
      Type.Object({
        endpoint: Type.String(),
        compared: Type.Integer(),
        matched: Type.Integer(),
        mismatched: Type.Integer(),
        noise: Type.Integer(),
        dropped: Type.Integer(),
        errors: Type.Integer(),
        noisy: Type.Array(Type.String(), { description: 'JSON pointers learned as noise' }),
      }),
    ),
    mismatches: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        route: Type.String(),
        endpoint: Type.String(),
        request: Type.Object({ method: Type.String(), path: Type.String(), headers: Type.Record(Type.String(), Type.String()) }),
        primary: Type.Object({ backend: Type.String(), status: Type.Integer() }),
        shadow: Type.Object({ backend: Type.String(), status: Type.Integer() }),
        diff: Type.Array(Diff),
      }),
    ),
  },
  { title: 'ShadowReport' },
);

const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()]);

export const AnalysisQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })) });

export const WindowVerdict = Type.Object(
  {
    route: Type.String(),
    windowStart: Type.String({ format: 'date-time' }),
    windowSeconds: Type.Integer(),
    verdict: Type.String({ enum: ['pass', 'fail', 'inconclusive'] }),
    checks: Type.Array(
      Type.Object({
        name: Type.String({ enum: ['requests', 'error_rate', 'p99_ratio', 'mismatch_rate'] }),
        value: Nullable(Type.Number()),
        threshold: Type.Number(),
        ok: Type.Union([Type.Boolean(), Type.Null()]),
      }),
    ),
    counts: Type.Record(Type.String(), Type.Object({ requests: Type.Integer(), errors: Type.Integer(), p99Ms: Nullable(Type.Number()) })),
  },
  { title: 'WindowVerdict' },
);

const Rate = Nullable(Type.Number());

export const TrafficView = Type.Object(
  {
    intervalMs: Type.Integer({ description: 'Time between two points' }),
    keep: Type.Integer({ description: 'Points kept per series' }),
    series: Type.Array(
      Type.Object({
        route: Type.String(),
        backend: Type.String({ description: 'The backend that answered' }),
        points: Type.Array(
          Type.Object({
            at: Type.String({ format: 'date-time' }),
            rps: Type.Number({ description: 'Requests per second' }),
            errorRate: Type.Union([Type.Number(), Type.Null()], { description: '5xx answers over answers; null without requests' }),
            p50Ms: Rate,
            p99Ms: Rate,
          }),
        ),
      }),
    ),
    backends: Type.Array(Type.Object({ name: Type.String(), breaker: BreakerState, active: Type.Integer(), pending: Type.Integer() })),
  },
  { title: 'TrafficView' },
);

export const TrafficQuery = Type.Object({
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only points after this one (the `at` of the last point already read)' })),
});

export const EventsView = Type.Object(
  {
    stats: EventStats,
    recent: Type.Array(ProcessedEvent),
    consumer: ConsumerStatus,
    deadLetters: Type.Array(DeadLetter, { description: 'Dead letters not replayed yet, oldest first (at most 100)' }),
  },
  { title: 'EventsView' },
);

export const ReplayBody = Type.Object({ reason: Reason, id: ReplayQuery.properties.id, topic: ReplayQuery.properties.topic }, { additionalProperties: false });
