import { setTimeout as sleep } from 'node:timers/promises';
import {
  applyMoviesToMonolith,
  monolithMovieColumns,
  movies,
  rangeFingerprints,
  rangeSums,
  readMoviesById,
  type Db,
  type RangeSum,
  type VersionedMovie,
} from '@cinemaabyss/db';
import type { MovieStore, ReconcileReport } from '@cinemaabyss/api';
import { catalogue } from '../store/schema.ts';
import { ownMovieColumns, readOwnById, upsertOwn } from '../store/queries.ts';

export interface ReconcileOptions {
  /** Ids per range whose count and fingerprint sum are compared at once. */
  rangeSize?: number;
  /** A differing row is read again after this long (change capture in flight) before it counts as drift. */
  recheckAfterMs?: number;
  repair: boolean;
  /** The store that takes writes: on equal versions with different contents, its row wins. */
  writer: MovieStore;
}

const byId = (rows: { id: number }[]) => new Map(rows.map((row) => [row.id, row]));
const same = (a: VersionedMovie | undefined, b: VersionedMovie | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Ids whose fingerprints differ within the ranges whose sums differ. */
async function suspects(legacy: Db, own: Db, size: number, ranges: number[]): Promise<number[]> {
  const ids: number[] = [];
  for (const range of ranges) {
    const [a, b] = await Promise.all([
      rangeFingerprints(legacy, movies, monolithMovieColumns, size, range),
      rangeFingerprints(own, catalogue, ownMovieColumns, size, range),
    ]);
    const left = new Map(a.map((row) => [row.id, row.hash]));
    const right = new Map(b.map((row) => [row.id, row.hash]));
    for (const id of new Set([...left.keys(), ...right.keys()])) if (left.get(id) !== right.get(id)) ids.push(id);
  }
  return ids;
}

/**
 * Compares the monolith's movies with the own store's: counts and fingerprint sums per id range,
 * then the fingerprints of the differing ranges, then the differing rows themselves, read again
 * after a pause so that a change still in flight through change capture is not taken for drift.
 * Repair never deletes (the API has no delete: a row on one side only is an acknowledged write
 * not yet copied), it copies the newer version onto the other side.
 */
export async function reconcile(legacy: Db, own: Db, options: ReconcileOptions): Promise<ReconcileReport> {
  const started = performance.now();
  const size = options.rangeSize ?? 1000;
  const [left, right] = await Promise.all([rangeSums(legacy, movies, monolithMovieColumns, size), rangeSums(own, catalogue, ownMovieColumns, size)]);
  const key = (range: RangeSum) => `${range.rows}:${range.sum}`;
  const l = new Map(left.map((range) => [range.bucket, key(range)]));
  const r = new Map(right.map((range) => [range.bucket, key(range)]));
  const all = new Set([...l.keys(), ...r.keys()]);
  const differing = [...all].filter((range) => l.get(range) !== r.get(range));
  const total = (sums: RangeSum[]) => sums.reduce((n, range) => n + range.rows, 0);

  let ids = differing.length > 0 ? await suspects(legacy, own, size, differing) : [];
  if (ids.length > 0) await sleep(options.recheckAfterMs ?? 1000);
  const [a, b] = await Promise.all([readMoviesById(legacy, ids), readOwnById(own, ids)]);
  const mono = byId(a) as Map<number, VersionedMovie>;
  const mine = byId(b) as Map<number, VersionedMovie>;
  ids = ids.filter((id) => !same(mono.get(id), mine.get(id)));

  const drift = { missing: 0, extra: 0, different: 0, total: ids.length, ids: ids.slice(0, 20) };
  const toOwn: VersionedMovie[] = [];
  const toMonolith: VersionedMovie[] = [];
  for (const id of ids) {
    const m = mono.get(id);
    const o = mine.get(id);
    if (!o) drift.missing++;
    else if (!m) drift.extra++;
    else drift.different++;
    const monolithWins = !o || (m !== undefined && (m.version > o.version || (m.version === o.version && options.writer === 'monolith')));
    if (monolithWins) toOwn.push(m!);
    else toMonolith.push(o);
  }
  let repaired = 0;
  if (options.repair) {
    repaired += await upsertOwn(own, toOwn, true);
    repaired += (await applyMoviesToMonolith(legacy, toMonolith, true)).length;
  }
  return {
    at: new Date().toISOString(),
    ms: Math.round(performance.now() - started),
    rows: { monolith: total(left), movies: total(right) },
    ranges: { compared: all.size, differing: differing.length },
    drift,
    repaired,
  };
}
