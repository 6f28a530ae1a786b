// The analysis's rows: each replica's window counts, and the elected replica's verdicts.
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '@cinemaabyss/db';
import type { WindowVerdict } from '../control/ports.ts';
import { analysisCounts, analysisVerdicts } from '../control/store/schema.ts';
import type { WindowCounts } from './window.ts';

/** One statement for every closed window of this replica (a retried flush overwrites its own rows). */
export async function writeCounts(db: Db, replica: string, rows: WindowCounts[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(analysisCounts)
    .values(rows.map((r) => ({ ...r, replica, windowStart: new Date(r.windowStart) })))
    .onConflictDoUpdate({
      target: [analysisCounts.replica, analysisCounts.route, analysisCounts.windowStart, analysisCounts.backend],
      set: {
        requests: sql`excluded.requests`,
        errors: sql`excluded.errors`,
        latency: sql`excluded.latency`,
        shadowCompared: sql`excluded.shadow_compared`,
        shadowMismatched: sql`excluded.shadow_mismatched`,
        shadowNoise: sql`excluded.shadow_noise`,
      },
    });
}

/** Every replica's rows of one window of a route. */
export async function readCounts(db: Db, route: string, windowStart: number): Promise<WindowCounts[]> {
  const rows = await db
    .select()
    .from(analysisCounts)
    .where(and(eq(analysisCounts.route, route), eq(analysisCounts.windowStart, new Date(windowStart))));
  return rows.map((r) => ({ ...r, windowStart: r.windowStart.getTime() }));
}

/** Counts are only needed until their window is judged: older rows go (the verdicts keep the sums). */
export async function pruneCounts(db: Db, before: Date): Promise<void> {
  await db.delete(analysisCounts).where(lt(analysisCounts.windowStart, before));
}

export async function saveVerdict(db: Db, v: WindowVerdict): Promise<void> {
  await db
    .insert(analysisVerdicts)
    .values({ route: v.route, windowStart: new Date(v.windowStart), windowSeconds: v.windowSeconds, verdict: v.verdict, checks: v.checks, counts: v.counts })
    .onConflictDoNothing();
}

/** A route's latest verdicts, newest first; `since`: only windows starting then or later. */
export async function recentVerdicts(db: Db, route: string, limit: number, since?: Date): Promise<WindowVerdict[]> {
  const rows = await db
    .select()
    .from(analysisVerdicts)
    .where(and(eq(analysisVerdicts.route, route), since ? gte(analysisVerdicts.windowStart, since) : undefined))
    .orderBy(desc(analysisVerdicts.windowStart))
    .limit(limit);
  return rows.map((r) => ({
    route: r.route,
    windowStart: r.windowStart.toISOString(),
    windowSeconds: r.windowSeconds,
    verdict: r.verdict as WindowVerdict['verdict'],
    checks: r.checks as WindowVerdict['checks'],
    counts: r.counts as WindowVerdict['counts'],
  }));
}
