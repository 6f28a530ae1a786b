// A route's migration as the control plane keeps it: the one home of its schema, its defaults and
// the stage machine. Pure: no I/O, the clock is passed in.
import Type, { type Static, type TObject, type TSchema } from 'typebox';
import { Ajv } from 'ajv';
import type { RouteSpec } from '../routing/table.ts';

export const STAGES = ['off', 'shadow', 'canary', 'migrated'] as const;
export type Stage = (typeof STAGES)[number];

const Percent = Type.Integer({ minimum: 0, maximum: 100 });
const Pointer = Type.String({ pattern: '^(/[^/]*)*$', maxLength: 200, description: "JSON pointer; '*' matches any key or index" });
const Method = Type.String({ enum: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] });

export const ShadowSettings = Type.Object(
  {
    percent: { ...Percent, default: 0, description: 'Share of eligible requests mirrored to the backend not serving them' },
    methods: Type.Array(Method, { default: ['GET', 'HEAD'], uniqueItems: true, description: 'Non-idempotent methods only when listed here' }),
    twicePercent: { ...Percent, default: 0, description: 'Share of shadowed requests also sent twice to the serving backend to learn noise' },
    ignore: Type.Array(Pointer, { default: [], maxItems: 100, description: 'JSON pointers left out of the comparison' }),
    sets: Type.Array(Pointer, { default: [], maxItems: 100, description: 'Arrays compared as multisets (order ignored)' }),
    tolerance: Type.Number({ minimum: 0, default: 0, description: 'Absolute difference under which two numbers are equal' }),
    maxConcurrent: Type.Integer({ minimum: 1, maximum: 10_000, default: 64, description: 'Shadows in flight; more are dropped' }),
    timeoutMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 5000 }),
    maxBodyBytes: Type.Integer({ minimum: 0, maximum: 16 * 1024 * 1024, default: 1024 * 1024, description: 'Larger answers are not compared' }),
  },
  { additionalProperties: false },
);
export type ShadowSettings = Static<typeof ShadowSettings>;

export const AnalysisSettings = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
    minRequests: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 50, description: 'Fewer requests to the new backend: inconclusive' }),
    maxErrorRate: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: '5xx, connect failures and timeouts of the new backend' }),
    maxP99Ratio: Type.Number({ minimum: 1, maximum: 1000, default: 2, description: 'p99 latency of the new backend over the old one' }),
    maxMismatchRate: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'Shadow comparisons that differ (noise excluded)' }),
    failWindows: Type.Integer({ minimum: 1, maximum: 100, default: 2, description: 'Consecutive failed windows that trigger a rollback' }),
    passWindows: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'Consecutive passed windows before an automatic step forward' }),
    autoPromote: Type.Boolean({ default: false }),
    rollbackTo: Type.String({ enum: ['previous', 'zero'], default: 'zero' }),
  },
  { additionalProperties: false },
);
export type AnalysisSettings = Static<typeof AnalysisSettings>;

/**
 * The settings' fields, all optional and without their defaults: a partial change validated by an
 * Ajv that fills defaults (Fastify's, and the one below) must not reset the fields it leaves out.
 */
function partialWithoutDefaults<T extends TObject>(settings: T): TObject {
  const fields = Object.fromEntries(
    Object.entries(settings.properties).map(([name, field]) => {
      const { default: _default, ...rest } = field as TSchema & { default?: unknown };
      return [name, Type.Optional(rest as TSchema)];
    }),
  );
  return Type.Object(fields, { additionalProperties: false });
}

/** What an operator may change in one request (a partial state); validated, then applied. */
export const MigrationChanges = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    percent: Type.Optional(Percent),
    mode: Type.Optional(Type.String({ enum: ['sticky', 'random'] })),
    fallback: Type.Optional(Type.Boolean()),
    stage: Type.Optional(Type.String({ enum: [...STAGES] })),
    steps: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 99 }), { minItems: 1, maxItems: 20 })),
    shadow: Type.Optional(partialWithoutDefaults(ShadowSettings)),
    analysis: Type.Optional(partialWithoutDefaults(AnalysisSettings)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type MigrationChanges = Omit<Static<typeof MigrationChanges>, 'shadow' | 'analysis'> & {
  shadow?: Partial<ShadowSettings>;
  analysis?: Partial<AnalysisSettings>;
};

export const MigrationState = Type.Object(
  {
    route: Type.String(),
    to: Type.String({ description: 'The new backend' }),
    from: Type.String({ description: 'The old backend' }),
    enabled: Type.Boolean(),
    percent: Percent,
    mode: Type.String({ enum: ['sticky', 'random'] }),
    fallback: Type.Boolean(),
    stage: Type.String({ enum: [...STAGES] }),
    steps: Type.Array(Type.Integer({ minimum: 1, maximum: 99 })),
    paused: Type.Boolean(),
    pausedReason: Type.Optional(Type.String()),
    killed: Type.Boolean(),
    shadow: ShadowSettings,
    analysis: AnalysisSettings,
    version: Type.Integer({ minimum: 0, description: '0: the starting state from the route table, never stored' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'MigrationState' },
);
export type MigrationState = Omit<Static<typeof MigrationState>, 'stage' | 'mode'> & { stage: Stage; mode: 'sticky' | 'random' };

const ajv = new Ajv({ useDefaults: true, strict: false, allErrors: false });
const withShadowDefaults = ajv.compile(ShadowSettings);
const withAnalysisDefaults = ajv.compile(AnalysisSettings);
const changesValid = ajv.compile(MigrationChanges);

export const DEFAULT_STEPS = [1, 5, 25, 50];

/** A refused change: the admin API answers it with its status and message. */
export class ChangeError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(code: 'INVALID_CHANGE' | 'INVALID_TRANSITION' | 'UNKNOWN_ROUTE' | 'VERSION_CONFLICT', message: string, statusCode = 400) {
    super(message);
    this.name = 'ChangeError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

function defaults<T>(validate: (v: unknown) => boolean, value: object): T {
  const copy = structuredClone(value);
  validate(copy);
  return copy as T;
}

/** The starting state of a route from the route table (env vars or GATEWAY_CONFIG): version 0. */
export function initialState(route: RouteSpec, now: Date): MigrationState | undefined {
  const m = route.migration;
  if (!m) return undefined;
  const stage: Stage = m.enabled ? (m.percent >= 100 ? 'migrated' : 'canary') : 'off';
  return {
    route: route.name,
    from: route.backend,
    to: m.to,
    enabled: m.enabled,
    percent: m.percent,
    mode: m.mode as 'sticky' | 'random',
    fallback: m.fallback,
    stage,
    steps: [...DEFAULT_STEPS],
    paused: false,
    killed: false,
    shadow: defaults<ShadowSettings>(withShadowDefaults, {}),
    analysis: defaults<AnalysisSettings>(withAnalysisDefaults, { enabled: false }),
    version: 0,
    updatedAt: now.toISOString(),
  };
}

/** The share of the route's traffic the new backend gets now. */
export function effectivePercent(s: MigrationState): number {
  if (s.killed || !s.enabled) return 0;
  if (s.stage === 'off' || s.stage === 'shadow') return 0;
  if (s.stage === 'migrated') return 100;
  return s.percent;
}

function firstError(): string {
  const e = changesValid.errors?.[0];
  if (!e) return 'invalid change';
  const at = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'changes';
  if (e.keyword === 'additionalProperties') return `${at} has unknown field '${String(e.params['additionalProperty'])}'`;
  return `${at} ${e.message ?? 'is invalid'}`;
}

function touched(next: MigrationState, now: Date): MigrationState {
  return { ...next, version: next.version + 1, updatedAt: now.toISOString() };
}

/** An operator's partial change, validated as a whole; stage changes go through the same rules as promote. */
export function applyChanges(s: MigrationState, changes: unknown, now: Date): MigrationState {
  const c = structuredClone(changes);
  if (!changesValid(c)) throw new ChangeError('INVALID_CHANGE', firstError());
  const v = c as MigrationChanges;
  const next: MigrationState = {
    ...s,
    ...(v.enabled !== undefined ? { enabled: v.enabled } : {}),
    ...(v.percent !== undefined ? { percent: v.percent } : {}),
    ...(v.mode !== undefined ? { mode: v.mode as 'sticky' | 'random' } : {}),
    ...(v.fallback !== undefined ? { fallback: v.fallback } : {}),
    ...(v.stage !== undefined ? { stage: v.stage as Stage } : {}),
    ...(v.steps !== undefined ? { steps: v.steps } : {}),
    shadow: { ...s.shadow, ...(v.shadow ?? {}) },
    analysis: { ...s.analysis, ...(v.analysis ?? {}) },
  };
  if (next.steps.some((step, i) => i > 0 && step <= next.steps[i - 1]!)) throw new ChangeError('INVALID_CHANGE', 'steps must be strictly ascending');
  // A percent alone implies its stage (checked below like an explicit one).
  if (v.percent !== undefined && v.stage === undefined && s.stage !== 'canary' && v.percent > 0 && v.percent < 100) next.stage = 'canary';
  if (v.percent === 100 && v.stage === undefined) next.stage = 'migrated';
  if (v.percent === 0 && v.stage === undefined && (s.stage === 'canary' || s.stage === 'migrated')) next.stage = 'shadow';
  if (v.stage === 'migrated') next.percent = 100;
  if (v.stage === 'canary' && v.percent === undefined && (s.stage !== 'canary' || next.percent === 0)) next.percent = next.steps[0]!;
  if (v.stage === 'off' || v.stage === 'shadow') next.percent = v.percent ?? 0;
  if (v.stage !== undefined && v.stage !== 'off') next.enabled = v.enabled ?? true;
  if (next.stage === 'canary' && next.percent === 0) throw new ChangeError('INVALID_CHANGE', 'a canary needs a percent above 0');
  if ((next.stage === 'off' || next.stage === 'shadow') && next.percent !== 0) {
    throw new ChangeError('INVALID_CHANGE', `stage ${next.stage} serves nothing from ${s.to}: percent must be 0 (move to canary first)`);
  }
  if (v.percent !== undefined && v.percent > 0) next.enabled = v.enabled ?? true;
  return touched(next, now);
}

/** The next step forward: off → shadow → canary (each step) → migrated. */
export function promote(s: MigrationState, now: Date): MigrationState {
  if (s.killed) throw new ChangeError('INVALID_TRANSITION', 'the kill switch is on: unkill first');
  switch (s.stage) {
    case 'off':
      return touched({ ...s, stage: 'shadow', enabled: true, percent: 0, shadow: { ...s.shadow, percent: s.shadow.percent || 100 } }, now);
    case 'shadow':
      return touched({ ...s, stage: 'canary', enabled: true, percent: s.steps[0]! }, now);
    case 'canary': {
      const next = s.steps.find((step) => step > s.percent);
      return touched(next === undefined ? { ...s, stage: 'migrated', percent: 100 } : { ...s, percent: next }, now);
    }
    case 'migrated':
      throw new ChangeError('INVALID_TRANSITION', `route ${s.route} is already migrated`);
  }
}

export const pause = (s: MigrationState, reason: string, now: Date): MigrationState => touched({ ...s, paused: true, pausedReason: reason }, now);

export function resume(s: MigrationState, now: Date): MigrationState {
  const { pausedReason: _dropped, ...rest } = s;
  return touched({ ...rest, paused: false }, now);
}

/** Back to the old backend for everyone, shadow kept for diagnosis, paused until a person resumes. */
export const abort = (s: MigrationState, reason: string, now: Date): MigrationState =>
  touched({ ...s, stage: s.stage === 'off' ? 'off' : 'shadow', percent: 0, paused: true, pausedReason: reason }, now);

export const kill = (s: MigrationState, now: Date): MigrationState => touched({ ...s, killed: true }, now);
export const unkill = (s: MigrationState, now: Date): MigrationState => touched({ ...s, killed: false }, now);

/** The analysis's step back after failed windows: the previous canary step or 0, and paused. */
export function rollback(s: MigrationState, reason: string, now: Date): MigrationState {
  const previous = [...s.steps].reverse().find((step) => step < effectivePercent(s));
  const to = s.analysis.rollbackTo === 'previous' && previous !== undefined ? previous : 0;
  return touched({ ...s, stage: to === 0 ? 'shadow' : 'canary', percent: to, paused: true, pausedReason: reason }, now);
}

/** The route unchanged but for its version: a change recorded in the audit that moves no traffic (a data phase). */
export const noted = (s: MigrationState, now: Date): MigrationState => touched(s, now);

/** The route back to an earlier state's split and stage (a data phase undone), settings otherwise kept. */
export const restored = (s: MigrationState, earlier: MigrationState, now: Date): MigrationState =>
  touched({ ...s, stage: earlier.stage, enabled: earlier.enabled, percent: earlier.percent }, now);
