import { bigint, bigserial, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, varchar } from 'drizzle-orm/pg-core';
import { outboxColumns, outboxIndexes } from '@cinemaabyss/outbox';

// The gateway's control-plane tables, in their own Postgres schema: they can share a server, or in
// embedded mode the one PGlite database, with the services' tables without a name clash.
export const gateway = pgSchema('gateway');

/** Each migrated route's state as last changed (routes never changed are absent: the route table is their state). */
export const migrations = gateway.table('migrations', {
  route: varchar('route', { length: 40 }).primaryKey(),
  state: jsonb('state').notNull(),
  version: bigint('version', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Append-only: every change, by whom (token label or the analysis), from what to what, and why. */
export const audit = gateway.table(
  'audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorKind: varchar('actor_kind', { length: 20 }).notNull(),
    actorLabel: varchar('actor_label', { length: 100 }).notNull(),
    route: varchar('route', { length: 40 }).notNull(),
    action: varchar('action', { length: 20 }).notNull(),
    old: jsonb('old').notNull(),
    new: jsonb('new').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [index('audit_route_idx').on(t.route, t.id)],
);

/** Each replica's counts per route, backend and analysis window; the elected replica sums them. */
export const analysisCounts = gateway.table(
  'analysis_counts',
  {
    replica: varchar('replica', { length: 100 }).notNull(),
    route: varchar('route', { length: 40 }).notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    backend: varchar('backend', { length: 40 }).notNull(),
    requests: integer('requests').notNull(),
    errors: integer('errors').notNull(),
    /** Request counts per latency bucket (the bucket bounds are defined in analysis/). */
    latency: integer('latency').array().notNull(),
    shadowCompared: integer('shadow_compared').notNull().default(0),
    shadowMismatched: integer('shadow_mismatched').notNull().default(0),
    shadowNoise: integer('shadow_noise').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.replica, t.route, t.windowStart, t.backend] }), index('analysis_counts_window_idx').on(t.route, t.windowStart)],
);

/** The verdict on each closed window of a route, with the checks' values. */
export const analysisVerdicts = gateway.table(
  'analysis_verdicts',
  {
    route: varchar('route', { length: 40 }).notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    windowSeconds: integer('window_seconds').notNull(),
    verdict: varchar('verdict', { length: 20 }).notNull(),
    checks: jsonb('checks').notNull(),
    counts: jsonb('counts').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.route, t.windowStart] })],
);

/** The latest shadow mismatches of every replica, with the request and the diff (trimmed to a bound). */
export const shadowMismatches = gateway.table(
  'shadow_mismatches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    replica: varchar('replica', { length: 100 }).notNull(),
    route: varchar('route', { length: 40 }).notNull(),
    endpoint: varchar('endpoint', { length: 300 }).notNull(),
    request: jsonb('request').notNull(),
    primaryBackend: varchar('primary_backend', { length: 40 }).notNull(),
    primaryStatus: integer('primary_status').notNull(),
    shadowBackend: varchar('shadow_backend', { length: 40 }).notNull(),
    shadowStatus: integer('shadow_status').notNull(),
    diff: jsonb('diff').notNull(),
  },
  (t) => [index('shadow_mismatches_route_idx').on(t.route, t.id)],
);

/** Audit entries go out as `migration-events` through this outbox, in the change's transaction. */
export const outbox = gateway.table('outbox', outboxColumns(), outboxIndexes);
