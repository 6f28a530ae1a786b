import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { MigrationChanged } from '@cinemaabyss/api';
import type { Database } from '@cinemaabyss/db';
import { enqueueEvent, outboxInSchema, outboxRecord } from '@cinemaabyss/outbox';
import type { AuditEntry, ChangeAction, StateStore } from '../ports.ts';
import { ChangeError, type MigrationState } from '../state.ts';
import { CHANNEL, listen } from './listener.ts';
import { audit, gateway, migrations } from './schema.ts';

type Log = { info(o: object, m: string): void; warn(o: object, m: string): void };

// gateway.outbox (schema.ts declares it for drizzle-kit), as the relay, its queries and the CLI take it.
export const gatewayOutbox = outboxInSchema(gateway.schemaName);
/** Elects the one replica relaying gateway.outbox (the monolith's relay holds another lock). */
export const GATEWAY_OUTBOX_LOCK = 727_274_010;

type AuditRow = typeof audit.$inferSelect;
const entryOf = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: { kind: row.actorKind as AuditEntry['actor']['kind'], label: row.actorLabel },
  route: row.route,
  action: row.action as ChangeAction,
  old: row.old as MigrationState,
  new: row.new as MigrationState,
  reason: row.reason,
});

/**
 * The routes' states in PostgreSQL or PGlite. A save is one transaction: compare-and-set on the
 * version, the audit row, the `migration-events` outbox row and the notification (delivered at commit).
 */
export async function createStateStore(database: Database, log: Log): Promise<StateStore> {
  const { db } = database;
  const listeners: ((route: string) => void)[] = [];
  const notify = (route: string) => {
    for (const listener of listeners) listener(route);
  };
  // After a reconnect every route may have changed unseen: '*' asks for a full re-read.
  const unlisten = await listen(database, log, notify, () => notify('*'));

  return {
    async load() {
      const rows = await db.select({ state: migrations.state }).from(migrations);
      return new Map(rows.map((r) => [(r.state as MigrationState).route, r.state as MigrationState]));
    },

    async save(next, previous, { actor, action, reason }) {
      return db.transaction(async (tx) => {
        const route = next.route;
        const expected = next.version - 1;
        const values = { state: next, version: next.version, updatedAt: new Date(next.updatedAt) };
        // Version 0 is the route table's state, never stored: the first change inserts.
        const written =
          expected === 0
            ? await tx
                .insert(migrations)
                .values({ route, ...values })
                .onConflictDoNothing()
                .returning({ route: migrations.route })
            : await tx
                .update(migrations)
                .set(values)
                .where(and(eq(migrations.route, route), eq(migrations.version, expected)))
                .returning({ route: migrations.route });
        if (written.length === 0)
          throw new ChangeError('VERSION_CONFLICT', `route ${route} was changed meanwhile (version ${expected} is not the latest)`, 409);
        const [row] = await tx
          .insert(audit)
          .values({ actorKind: actor.kind, actorLabel: actor.label, route, action, old: previous, new: next, reason })
          .returning();
        const entry = entryOf(row!);
        await enqueueEvent(tx, outboxRecord(MigrationChanged, entry, 'gateway'), gatewayOutbox);
        await tx.execute(sql`select pg_notify(${CHANNEL}, ${route})`);
        return entry;
      });
    },

    async audit({ route, limit, before }) {
      const where: SQL[] = [];
      if (route !== undefined) where.push(eq(audit.route, route));
      if (before !== undefined) where.push(lt(audit.id, before));
      const rows = await db
        .select()
        .from(audit)
        .where(and(...where))
        .orderBy(desc(audit.id))
        .limit(limit);
      return rows.map(entryOf);
    },

    onNotify(listener) {
      listeners.push(listener);
    },

    async close() {
      listeners.length = 0;
      await unlisten();
    },
  };
}
