import Type, { type Static } from 'typebox';
import { Name } from './text.ts';

// The movies' data migration (issue #12): its phases and status, as the movies service's admin
// endpoints answer them and the gateway's admin API and CLI pass them on.

/** 0 before the procedure; 6 is final. README, "Data ownership", says what each one does. */
export const DATA_PHASES = ['shared', 'provisioned', 'copying', 'verified', 'reads', 'writes', 'retired'] as const;
export type DataPhaseName = (typeof DATA_PHASES)[number];
/** From this phase on, writes go to the movies service: the gateway sends it all of /api/movies. */
export const WRITES_PHASE = 5;

const Count = Type.Integer({ minimum: 0 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ReconcileReport = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    ms: Count,
    rows: Type.Object({ monolith: Count, movies: Count }),
    ranges: Type.Object({ compared: Count, differing: Count }),
    drift: Type.Object({
      missing: Type.Integer({ minimum: 0, description: 'In the monolith, not in the own store' }),
      extra: Type.Integer({ minimum: 0, description: 'In the own store, not in the monolith' }),
      different: Count,
      total: Count,
      ids: Type.Array(Type.Integer(), { description: 'The first 20 ids that differ' }),
    }),
    repaired: Count,
  },
  { title: 'ReconcileReport' },
);
export type ReconcileReport = Static<typeof ReconcileReport>;

export const DataStatus = Type.Object(
  {
    phase: Type.Integer({ minimum: 0, maximum: DATA_PHASES.length - 1 }),
    name: Type.String({ enum: [...DATA_PHASES] }),
    store: Nullable(Type.String({ enum: ['postgres', 'pglite'], description: 'The own database; null when none is configured' })),
    backfill: Type.Object({ cursor: Count, target: Nullable(Count), copied: Count, done: Type.Boolean() }),
    capture: Type.Object({
      running: Type.Boolean(),
      lagRecords: Nullable(Count),
      lastLagSeconds: Nullable(Type.Number({ description: "The last applied change's age, from its commit in the monolith" })),
    }),
    reconcile: Nullable(ReconcileReport),
    blockers: Nullable(Type.Array(Type.String(), { description: 'Why advancing is refused now (empty: it may go on); null at the last phase' })),
  },
  { title: 'DataStatus' },
);
export type DataStatus = Omit<Static<typeof DataStatus>, 'name'> & { name: DataPhaseName };

export const PhaseChange = Type.Object(
  { reason: Name({ maxLength: 500, description: 'Why: kept in the log (and the gateway’s audit)' }) },
  { additionalProperties: false },
);
