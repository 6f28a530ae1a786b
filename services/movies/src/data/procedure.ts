import { and, eq } from 'drizzle-orm';
import { lastMonolithMovieId, nextMonolithMovieId, retireMonolithMovies, type Database, type Db } from '@cinemaabyss/db';
import { DATA_PHASES as PHASES, WRITES_PHASE, type CreateMovie, type DataStatus, type Movie, type ReconcileReport } from '@cinemaabyss/api';
import { consumeMovieChanges, type EventBus, type MovieChangeConsumer } from '@cinemaabyss/event-bus';
import { conflict } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';
import type { Registry } from 'prom-client';
import type { MoviesConfig } from '../config.ts';
import type { OwnStore } from '../store/open.ts';
import { insertOwnMovie, nextOwnId, ownIdsAfter, upsertOwn } from '../store/queries.ts';
import { catalogue, procedure } from '../store/schema.ts';
import { runBackfill } from './backfill.ts';
import { dataMetrics } from './metrics.ts';
import { reconcile } from './reconcile.ts';

/** Ids the monolith may still give after retirement starts (writes in flight on a replica that has not seen phase 6 yet). */
const RETIRE_ID_MARGIN = 1000;

export type DataSettingValues = Pick<
  MoviesConfig,
  | 'MOVIES_BACKFILL_BATCH'
  | 'MOVIES_BACKFILL_MAX_ROWS_PER_SECOND'
  | 'MOVIES_BACKFILL_MAX_BUSY_PERCENT'
  | 'MOVIES_BACKFILL_SLOWDOWN_RATIO'
  | 'MOVIES_RECONCILE_INTERVAL_MS'
  | 'MOVIES_CDC_GROUP'
>;

export interface DataMigration {
  /** The own store, when configured (its database exists from phase 1 on, or earlier when opened at start). */
  readonly own: OwnStore | undefined;
  /** Called after this replica follows a phase change (its own or another replica's). */
  onPhase(listener: (phase: number) => void): void;
  /** The database reads are served from: the own store from phase 4 on. */
  reads(): { db: Db; own: boolean };
  /** Creates the movie in the own store from phase 5 on; undefined before (the monolith's tables take it). */
  insert(input: CreateMovie): Promise<Movie> | undefined;
  /**
   * After a write to the monolith's tables: in phase 4, where reads come from the own store, the
   * row is also copied there at once (same version, so change capture's copy is a no-op), so a
   * client reads its own write back; on failure change capture still brings it.
   */
  written(movie: Movie): Promise<void>;
  /** Readiness: the own store, once it serves (phase 4 on). */
  ping(): Promise<void>;
  status(): Promise<DataStatus>;
  advance(reason: string): Promise<DataStatus>;
  back(reason: string): Promise<DataStatus>;
  reconcile(repair: boolean): Promise<ReconcileReport>;
  close(): Promise<void>;
}

export interface DataMigrationDeps {
  legacy: Database;
  /** The own store, when configured (else the procedure cannot start); advancing to phase 1 provisions its database. */
  own: OwnStore | undefined;
  bus: EventBus;
  logger: Logger;
  registry: Registry;
  settings: DataSettingValues;
  /** How often each replica re-reads the phase another replica may have changed. */
  refreshMs?: number;
}

/**
 * The procedure's state machine and its workers on one replica: change capture (phases 2–5), the
 * backfill (phase 2 until done) and the reconciler (phases 3–5). The phase lives in the own store;
 * every replica follows it within `refreshMs`.
 */
export async function startDataMigration(deps: DataMigrationDeps): Promise<DataMigration> {
  const { legacy, own, bus, logger, settings } = deps;
  const metrics = dataMetrics(deps.registry);
  let phase = 0;
  let capture: MovieChangeConsumer | undefined;
  let backfill: Promise<void> | undefined;
  let lastReport: ReconcileReport | null = null;
  let lastLag: number | null = null;
  let reconciling: Promise<ReconcileReport> | undefined;
  let nextReconcile = 0;
  let closed = false;
  const listeners: ((phase: number) => void)[] = [];

  // No database yet (PGlite before phase 1): phase 0.
  const readState = async () => (own?.database ? (await own.database.db.select().from(procedure))[0] : undefined);
  /** The own database, where the phase says it exists (phase 1 on). */
  const ownDb = () => own!.database!.db;

  const runReconcile = (repair: boolean) => {
    reconciling ??= reconcile(legacy.db, ownDb(), { repair, writer: phase >= WRITES_PHASE ? 'movies' : 'monolith' })
      .then((report) => {
        lastReport = report;
        metrics.observeReconcile(report);
        if (report.drift.total > 0) logger.warn({ drift: report.drift, repaired: report.repaired }, 'movies drift between the stores');
        return report;
      })
      .finally(() => (reconciling = undefined));
    return reconciling;
  };

  // Starts and stops this replica's workers to match the phase.
  const follow = async () => {
    const state = await readState();
    const before = phase;
    phase = state?.phase ?? 0;
    metrics.phase.set(phase);
    if (phase !== before) for (const listener of listeners) listener(phase);
    if (state) metrics.backfill(state.backfillCursor, state.backfillTarget, state.backfillDone);
    // Capture goes on in phase 5: a monolith write still in flight when writes moved is copied too.
    const capturing = phase >= 2 && phase <= 5;
    if (capturing && !capture) {
      capture = consumeMovieChanges({
        bus,
        groupId: settings.MOVIES_CDC_GROUP,
        from: 'monolith',
        apply: async (rows) => void (await upsertOwn(ownDb(), rows)),
        applied: (batch) => {
          for (const lag of batch.lagsSeconds) metrics.captureLag.observe(lag);
          lastLag = batch.lagsSeconds.at(-1) ?? lastLag;
        },
        log: logger,
      });
    } else if (!capturing && capture) {
      await capture.stop();
      capture = undefined;
    }
    if (phase === 2 && state && !state.backfillDone && !backfill) {
      const active = () => !closed && phase === 2;
      backfill = runBackfill(legacy.db, ownDb(), backfillOptions, active, (rows, rate) => metrics.copying(rows, rate))
        .catch((error: unknown) => logger.warn({ err: error }, 'backfill batch failed; it resumes from its checkpoint'))
        .finally(() => (backfill = undefined));
    }
    if (phase >= 3 && phase <= 5 && Date.now() >= nextReconcile && !reconciling) {
      nextReconcile = Date.now() + settings.MOVIES_RECONCILE_INTERVAL_MS;
      void runReconcile(true).catch((error: unknown) => logger.warn({ err: error }, 'reconcile failed'));
    }
  };
  const backfillOptions = {
    batch: settings.MOVIES_BACKFILL_BATCH,
    maxRowsPerSecond: settings.MOVIES_BACKFILL_MAX_ROWS_PER_SECOND,
    maxBusyPercent: settings.MOVIES_BACKFILL_MAX_BUSY_PERCENT,
    slowdownRatio: settings.MOVIES_BACKFILL_SLOWDOWN_RATIO,
  };
  await follow();
  const timer = setInterval(
    () => void follow().catch((error: unknown) => logger.warn({ err: error }, 'cannot read the data migration phase')),
    deps.refreshMs ?? 1000,
  );

  const lagRecords = () => {
    if (!capture?.running()) return null;
    return capture.status().reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
  };

  /** What stops the step from `phase` to `phase + 1`; a fresh reconcile where the step needs a clean one. */
  const blockers = async (fresh: boolean): Promise<string[]> => {
    if (!own) return ['no own database: set MOVIES_DB_CONNECTION_STRING (README, "Data ownership")'];
    const state = await readState();
    if (!state) return []; // phase 0 before the database exists: advancing creates it
    const found: string[] = [];
    if (state.phase === 2 && !state.backfillDone) found.push(`backfill not done (${state.backfillCursor} of ${state.backfillTarget ?? '?'})`);
    if (state.phase >= 2 && !capture?.running()) found.push('change capture is not consuming (broker?)');
    if (state.phase >= 3) {
      const lag = lagRecords();
      if (lag !== 0) found.push(`change capture is ${lag ?? 'an unknown number of'} records behind`);
      const report = fresh ? await runReconcile(true) : lastReport;
      if (!report) found.push('no reconciliation yet');
      else if (report.drift.total > 0)
        found.push(`drift: ${report.drift.total} rows (repaired: ${report.repaired}); advance again once a reconciliation is clean`);
    }
    return found;
  };

  const status = async (): Promise<DataStatus> => {
    const state = await readState();
    const current = state?.phase ?? 0;
    return {
      phase: current,
      name: PHASES[current]!,
      store: own?.kind ?? null,
      backfill: {
        cursor: state?.backfillCursor ?? 0,
        target: state?.backfillTarget ?? null,
        copied: state?.backfillCopied ?? 0,
        done: state?.backfillDone ?? false,
      },
      capture: { running: capture?.running() ?? false, lagRecords: lagRecords(), lastLagSeconds: lastLag },
      reconcile: lastReport,
      blockers: current >= PHASES.length - 1 ? null : await blockers(false),
    };
  };

  /** Compare-and-set of the phase (a concurrent change elsewhere is a 409), then this replica follows. */
  const move = async (from: number, to: number, reason: string, reset = false) => {
    const changed = await ownDb().transaction(async (tx) => {
      const rows = await tx
        .update(procedure)
        .set({ phase: to, changedAt: new Date(), ...(reset ? { backfillCursor: 0, backfillTarget: null, backfillCopied: 0, backfillDone: false } : {}) })
        .where(and(eq(procedure.id, 1), eq(procedure.phase, from)))
        .returning({ phase: procedure.phase });
      // Going back before the copy: the copy is dropped (without capture it would go stale).
      if (rows.length > 0 && reset) await tx.delete(catalogue);
      return rows.length > 0;
    });
    if (!changed) throw conflict(`the phase changed meanwhile (it is no longer ${from}); read the status again`);
    logger.info({ from, to, reason }, `data migration: phase ${from} (${PHASES[from]}) → ${to} (${PHASES[to]})`);
    await follow();
    return status();
  };

  /** Phase 6: ids from the own sequence, past every id the monolith's gave (plus a margin for writes in flight), and the monolith's tables frozen. */
  const retire = async () => {
    await ownIdsAfter(ownDb(), (await lastMonolithMovieId(legacy.db)) + RETIRE_ID_MARGIN);
    await retireMonolithMovies(legacy.db);
  };

  return {
    own,
    onPhase: (listener) => void listeners.push(listener),
    insert: (input) => {
      if (phase < WRITES_PHASE || !own) return undefined;
      return (async () => {
        const id = phase === WRITES_PHASE ? await nextMonolithMovieId(legacy.db) : await nextOwnId(ownDb());
        return insertOwnMovie(ownDb(), input, id);
      })();
    },
    written: async (movie) => {
      if (phase !== WRITES_PHASE - 1 || !own) return;
      await upsertOwn(ownDb(), [{ ...movie, version: 1 }]).catch((error: unknown) =>
        logger.warn({ err: error, id: movie.id }, 'copy of a new movie failed; change capture brings it'),
      );
    },
    ping: async () => {
      if (phase >= 4) await own?.database?.ping();
    },
    reads: () => (phase >= 4 && own?.database ? { db: own.database.db, own: true } : { db: legacy.db, own: false }),
    status,
    async advance(reason) {
      const found = await blockers(true);
      if (found.length > 0) throw conflict(`cannot advance: ${found.join('; ')}`);
      // Phase 0 → 1 provisions the database (its migrations insert the procedure's row, at phase 0).
      if (!own!.database) await own!.provision();
      const state = (await readState())!;
      if (state.phase + 1 === 6) await retire();
      return move(state.phase, state.phase + 1, reason);
    },
    async back(reason) {
      const state = await readState();
      if (!state || state.phase === 0) throw conflict('already at phase 0 (shared): nothing to undo');
      if (state.phase === 6) throw conflict('phase 6 (retired) is final');
      return move(state.phase, state.phase - 1, reason, state.phase <= 2);
    },
    async reconcile(repair) {
      if (!own || phase < 2) throw conflict('nothing to reconcile before phase 2 (copying)');
      if (phase === PHASES.length - 1) throw conflict('the monolith is retired: its frozen copy is no longer reconciled');
      return runReconcile(repair);
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await capture?.stop();
      await backfill;
      await reconciling?.catch(() => {});
    },
  };
}
