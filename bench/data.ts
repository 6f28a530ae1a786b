// The movies' data migration (issue #12) on PostgreSQL: backfill rate and what it costs the
// monolith's reads, change-capture lag at a steady write rate, and reconciliation time.
//   npm run bench:data -- --movies 100000 --runs 3 --duration 10 --read-rate 200 --write-rate 50
// The monolith and the movies service run as child processes (their own event loops, as deployed):
// the backfill is the movies service's own, with its own settings (MOVIES_BACKFILL_* from this
// environment are passed on), driven through its /admin/data endpoints. The reconciler and the
// change capture's consumer run in this process. See bench/README.md.
import { sql } from 'drizzle-orm';
import type { DataStatus } from '@cinemaabyss/api';
import { connectPostgres, migrate, type PostgresDatabase } from '@cinemaabyss/db';
import { consumeMovieChanges, openEmbeddedBus, openKafkaBus, embeddedBusMigrations, type EventBus } from '@cinemaabyss/event-bus';
import { moviesStoreMigrations } from '@cinemaabyss/movies';
import { reconcile } from '../services/movies/src/data/reconcile.ts';
import { upsertOwn } from '../services/movies/src/store/queries.ts';
import { intOptions } from './lib/args.ts';
import { cleanup, guard, onCleanup } from './lib/cleanup.ts';
import { DEFAULT_POSTGRES_URL, freshDatabase, preparePostgres } from './lib/dataset.ts';
import { groupCpu, groupSnapshot, type GroupCpu, type PidGroups } from './lib/cpu-groups.ts';
import { summarize } from './lib/cannon.ts';
import { median } from './lib/load.ts';
import { runPaced } from './lib/paced.ts';
import { pin, pinPostgres, splitCores } from './lib/pin.ts';
import { startNodeService } from './lib/procs.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const USAGE =
  "npm run bench:data -- [--movies N] [--runs N] [--duration S] [--read-rate R] [--write-rate R] [--pin 1] (KAFKA_BROKERS: change capture on Kafka, else the embedded bus; MOVIES_BACKFILL_*: the copier's settings; BENCH_MOVIES_DATABASE_URL: the own store's server, else BENCH_DATABASE_URL's)";
const options = optionsOrExit(() =>
  intOptions(
    process.argv.slice(2),
    {
      movies: [100_000, 1000, 2_000_000],
      runs: [3, 1, 100],
      duration: [10, 2, 300],
      'read-rate': [200, 1, 10_000],
      'write-rate': [50, 1, 1000],
      pin: [0, 0, 1],
    },
    USAGE,
  ),
);
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
// The own store on a server of its own, as deployed; --pin 1 then gives each side cores of its own.
const ownServerUrl = process.env['BENCH_MOVIES_DATABASE_URL'] ?? serverUrl;
// One server for both (the Helm chart's and compose's default): it keeps every core when pinning.
const sharedServer = new URL(serverUrl).host === new URL(ownServerUrl).host;
const log = elapsedLog(Date.now());
guard((600 + options.runs * options.duration * 6) * 1000);

const open = (url: string, poolSize = 4): PostgresDatabase => {
  const database = connectPostgres({ url, poolSize, statementTimeoutMs: 120_000 });
  onCleanup('close a bench pool', () => database.close());
  return database;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${fmt((ratio - 1) * 100)} %`;
const pooled = (windows: Float64Array[]) => {
  const all = new Float64Array(windows.reduce((n, w) => n + w.length, 0));
  let at = 0;
  for (const w of windows) {
    all.set(w, at);
    at += w.length;
  }
  return summarize(all);
};
// The copier's settings as an operator would set them; the service's defaults otherwise.
const copierSettings = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('MOVIES_BACKFILL_')));

/** The movies service's data-migration admin endpoints (services/movies/src/data/admin-routes.ts). */
function dataAdmin(moviesUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<DataStatus> => {
    const response = await fetch(`${moviesUrl}/admin/data${path}`, {
      method,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const answer = await response.json();
    if (response.status !== 200) throw new Error(`${method} /admin/data${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer as DataStatus;
  };
  const until = async (what: string, done: (status: DataStatus) => boolean, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await call('GET', '');
      if (done(status)) return status;
      if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s (${JSON.stringify(status)})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return {
    status: () => call('GET', ''),
    advance: () => call('POST', '/advance', { reason: 'bench:data' }),
    back: () => call('POST', '/back', { reason: 'bench:data' }),
    until,
  };
}
type DataAdmin = ReturnType<typeof dataAdmin>;

/**
 * The monolith's read p99 (GET ?id=, paced), alone (phase 1) and while the movies service copies
 * (phase 2), alternately; going back to phase 1 drops the copy and its checkpoint for the next run.
 */
async function backfill(monolithUrl: string, data: DataAdmin, groups: PidGroups) {
  // Each window's cores by process group: what the copier costs is the copying window's minus the alone one's.
  const reads = async () => {
    const before = groupSnapshot(groups);
    const result = await runPaced({
      url: monolithUrl,
      path: () => `/api/movies?id=${1 + Math.floor(Math.random() * options.movies)}`,
      rate: options['read-rate'],
      duration: options.duration,
      connections: 16,
    });
    const cpu = groupCpu(before, groupSnapshot(groups));
    return { ...result, cpu };
  };
  const alone: number[] = [];
  const withCopy: number[] = [];
  // Every read's latency by condition: the p99 of each condition over all its windows.
  const aloneReads: Float64Array[] = [];
  const copyingReads: Float64Array[] = [];
  const rates: number[] = [];
  const copierMicros: number[] = [];
  const cores = (cpu: GroupCpu | undefined) =>
    cpu
      ? `monolith ${cpu.groups['monolith']} / movies ${cpu.groups['movies']} / pg ${cpu.groups['postgres']} / load gen. ${cpu.loadGenerator} / other ${cpu.other}`
      : '–';
  for (let run = 1; run <= options.runs; run++) {
    const quiet = await reads();
    alone.push(quiet.latency.p99);
    aloneReads.push(quiet.latencies);
    const started = performance.now();
    await data.advance();
    // Progress while the reads run: the rate counts only the time the copier had work.
    let doneAt: number | undefined;
    let sampling = true;
    const sampler = (async () => {
      while (sampling && doneAt === undefined) {
        if ((await data.status()).backfill.done) doneAt = performance.now();
        else await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const loaded = await reads();
    sampling = false;
    await sampler;
    // The rows and the time taken at the same moment (the copier goes on while the sampler stops).
    const asked = performance.now();
    const { backfill: progress } = await data.status();
    const seconds = ((doneAt ?? asked) - started) / 1000;
    await data.back();
    withCopy.push(loaded.latency.p99);
    copyingReads.push(loaded.latencies);
    rates.push(progress.copied / seconds);
    // The copier's CPU (its service and the database) per row, over the copying window.
    const busy = (cpu: GroupCpu | undefined) => (cpu ? cpu.groups['movies']! + cpu.groups['postgres']! : Number.NaN);
    const perRow = doneAt === undefined ? ((busy(loaded.cpu) - busy(quiet.cpu)) * options.duration * 1e6) / progress.copied : Number.NaN;
    if (Number.isFinite(perRow)) copierMicros.push(perRow);
    const note = doneAt === undefined ? '' : ' (done before the reads ended: use more --movies or a shorter --duration)';
    log(
      `run ${run}: read p99 ${fmt(alone.at(-1)!, 2)} ms alone, ${fmt(loaded.latency.p99, 2)} ms while copying; ${progress.copied} rows in ${fmt(seconds)} s${note}; ` +
        `cores alone: ${cores(quiet.cpu)}; copying: ${cores(loaded.cpu)}; copier ${fmt(perRow)} µs CPU per row`,
    );
  }
  // The run's own reference: the load on a shared machine drifts between runs, less within one.
  const ratios = withCopy.map((p99, i) => p99 / alone[i]!);
  // The p99 is a tail: one stall of the host in one window moves that window's by several times.
  // Pooled over many alternating windows, such stalls fall on both conditions alike; the noise
  // floor is the same comparison between the alone windows of odd and of even runs.
  const p99 = (windows: Float64Array[]) => pooled(windows).p99;
  const pooledAlone = p99(aloneReads);
  const pooledCopying = p99(copyingReads);
  const noise = p99(aloneReads.filter((_, i) => i % 2 === 0)) / p99(aloneReads.filter((_, i) => i % 2 === 1));
  // How sure: the same ratio over runs drawn with replacement (a percentile bootstrap, 90 %).
  const draws = Array.from({ length: 400 }, () => {
    const picked = aloneReads.map(() => Math.floor(Math.random() * aloneReads.length));
    return p99(picked.map((i) => copyingReads[i]!)) / p99(picked.map((i) => aloneReads[i]!));
  }).sort((a, b) => a - b);
  const interval = [draws[Math.floor(draws.length * 0.05)]!, draws[Math.ceil(draws.length * 0.95) - 1]!] as const;
  return {
    pooledAlone,
    pooledCopying,
    pooledRatio: pooledCopying / pooledAlone,
    noise,
    interval,
    reads: aloneReads.reduce((n, w) => n + w.length, 0) + copyingReads.reduce((n, w) => n + w.length, 0),
    aloneP99: median(alone),
    copyingP99: median(withCopy),
    ratio: median(ratios),
    ratios,
    rowsPerSecond: median(rates),
    copierMicros: median(copierMicros),
  };
}

/** Change-capture lag (commit in the monolith → row in the own store) at a paced write rate. */
async function capture(monolithUrl: string, bus: EventBus, legacy: PostgresDatabase, own: PostgresDatabase) {
  // Every change applied, by id; only the ids written here count (a shared broker has history).
  const applied = new Map<number, number>();
  const consumer = consumeMovieChanges({
    bus,
    groupId: `bench-cdc-${Date.now()}`,
    from: 'monolith',
    apply: async (rows) => void (await upsertOwn(own.db, rows)),
    applied: (batch) => {
      for (const [i, id] of batch.ids.entries()) applied.set(id, batch.lagsSeconds[i]!);
    },
    log: { info: () => {}, warn: (o, m) => log(`${m} ${JSON.stringify(o)}`) },
  });
  onCleanup('stop the bench consumer', () => consumer.stop());
  // A new group starts at the topic's beginning: let it catch up with any history first.
  const caughtUp = () => consumer.running() && consumer.status().length > 0 && consumer.status().every((p) => p.lag === 0);
  const deadline0 = Date.now() + 120_000;
  while (Date.now() < deadline0 && !caughtUp()) await new Promise((r) => setTimeout(r, 200));
  const body = JSON.stringify({ title: 'Captured', description: 'bench', genres: ['Bench'], rating: 5 });
  const result = await runPaced({
    url: monolithUrl,
    method: 'POST',
    path: () => '/api/movies',
    headers: () => ({ 'content-type': 'application/json' }),
    body: () => body,
    rate: options['write-rate'],
    duration: options.duration * 3,
    connections: 16,
    okStatus: 201,
  });
  // The writes of this run: every movie after the generated catalogue.
  const { rows } = await legacy.pool.query<{ id: number }>('select id from movies where id > $1', [options.movies]);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !rows.every((row) => applied.has(row.id))) await new Promise((r) => setTimeout(r, 200));
  await consumer.stop();
  const lags = rows.flatMap((row) => (applied.has(row.id) ? [applied.get(row.id)!] : []));
  return { writes: result.ok, perSecond: result.sentPerSec, lags, missing: rows.length - lags.length };
}

/**
 * The monolith side (its service, its database server, and the load generator standing in for its
 * clients) on one half of the cores, the movies side (its service and own database server) on the
 * other: what the copier then costs the monolith's reads is its reads of the monolith's database,
 * not two services sharing cores that a deployment would not share. Returns the undo (also a
 * clean-up step, should the bench end first).
 */
function pinSides(monolithPid: number, moviesPid: number, legacyUrl: string, ownUrl: string) {
  const [monolithCores, moviesCores] = splitCores();
  for (const pid of [monolithPid, process.pid]) pin(pid, monolithCores);
  pin(moviesPid, moviesCores);
  if (sharedServer) {
    log(`pinned: monolith and load generator to cores ${monolithCores}, movies service to ${moviesCores}; the one database server on every core`);
  } else {
    pinPostgres(legacyUrl, monolithCores);
    pinPostgres(ownUrl, moviesCores);
    log(`pinned: monolith, its database and the load generator to cores ${monolithCores}; movies service and its own database to ${moviesCores}`);
  }
  return onCleanup('unpin the services and database servers', () => {
    const all = [...monolithCores, ...moviesCores];
    for (const pid of [monolithPid, moviesPid, process.pid]) {
      try {
        pin(pid, all);
      } catch {
        // Already gone.
      }
    }
    if (!sharedServer) {
      pinPostgres(legacyUrl, all);
      pinPostgres(ownUrl, all);
    }
  });
}

runBench('bench:data', async () => {
  log(`PostgreSQL at ${serverUrl}: ${options.movies} movies`);
  const prepared = await preparePostgres(serverUrl, options.movies, 'cinemaabyss_bench_data');
  const legacyUrl = prepared.env['DB_CONNECTION_STRING']!;
  const ownUrl = await freshDatabase(ownServerUrl, 'cinemaabyss_bench_movies');
  const legacy = open(legacyUrl);
  const own = open(ownUrl);
  await migrate(own, moviesStoreMigrations);
  await migrate(legacy, embeddedBusMigrations);
  const brokers = process.env['KAFKA_BROKERS'];
  const busEnv: Record<string, string> = brokers ? { KAFKA_BROKERS: brokers } : {};
  const monolith = await startNodeService('monolith', '/ready', { DB_CONNECTION_STRING: legacyUrl, DB_POOL_SIZE: '10', ...busEnv });
  onCleanup('stop the monolith', () => monolith.stop());
  const movies = await startNodeService('movies', '/api/movies/ready', {
    DB_CONNECTION_STRING: legacyUrl,
    MOVIES_DB_CONNECTION_STRING: ownUrl,
    // One group for every run: a new one would first replay the shared topic's whole history.
    MOVIES_CDC_GROUP: 'cinemaabyss-bench-data-cdc',
    ...busEnv,
    ...copierSettings,
  });
  const data = dataAdmin(movies.url);
  await data.advance();
  // Warm-up, not measured: the service's capture catches up with the topic, its copier's code warms.
  await data.advance();
  await data.until('capture caught up', (status) => status.capture.running && status.capture.lagRecords === 0);
  await data.back();

  const unpin = options.pin ? pinSides(monolith.pid, movies.pid, legacyUrl, ownUrl) : undefined;
  log(`backfill under read load (movies service settings: ${JSON.stringify(copierSettings)})`);
  // The database: every postgres process (backends open and close with the pools' connections).
  const copy = await backfill(monolith.url, data, { monolith: [monolith.pid], movies: [movies.pid], postgres: { command: 'postgres' } });

  await unpin?.();
  log('reconciliation');
  await data.advance();
  await data.until('backfill done', (status) => status.backfill.done);
  // The bench's own consumer measures the capture below: the service's would compete with it.
  await movies.stop();
  const clean: number[] = [];
  for (let run = 0; run < options.runs; run++) clean.push((await reconcile(legacy.db, own.db, { repair: false, writer: 'monolith' })).ms);
  await own.db.execute(sql`update movies.movies set title = title || ' (drift)' where id % ${Math.floor(options.movies / 10)} = 0`);
  const drifted = await reconcile(legacy.db, own.db, { repair: true, writer: 'monolith', recheckAfterMs: 0 });

  log(`change capture at ${options['write-rate']} writes/s on ${brokers ? `Kafka (${brokers})` : 'the embedded bus'}`);
  const bus = brokers ? await openKafkaBus({ brokers: brokers.split(','), clientId: 'bench-data', sendTimeoutMs: 5000 }) : await openEmbeddedBus(legacy);
  onCleanup('close the bench bus', () => bus.close());
  const cdc = await capture(monolith.url, bus, legacy, own);
  const sorted = [...cdc.lags].sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! * 1000 : Number.NaN);

  const lines = [
    `## bench:data — ${new Date().toISOString()}, ${options.movies} movies, ${options.runs} runs, copier settings ${JSON.stringify(copierSettings)} (else the defaults)`,
    `backfill: ${fmt(copy.rowsPerSecond, 0)} rows/s (median)${options.pin ? `, each side pinned to cores of its own${sharedServer ? ' but for the one database server' : ''}` : ''}; monolith read p99 at ${options['read-rate']} req/s over all ${copy.reads} reads: ${fmt(copy.pooledAlone, 2)} ms alone, ${fmt(copy.pooledCopying, 2)} ms while copying: ${percent(copy.pooledRatio)} (90 % interval over runs ${percent(copy.interval[0])} … ${percent(copy.interval[1])}; noise floor, alone odd runs / even runs: ${percent(copy.noise)}); per run, copying/alone ${copy.ratios.map((r) => fmt(r, 2)).join(', ')}: median ${percent(copy.ratio)}; the copier's CPU (service and database) ${fmt(copy.copierMicros)} µs per row (median)`,
    `reconcile (clean): ${median(clean)} ms median of ${clean.join(', ')} ms; with ${drifted.drift.total} rows drifted: ${drifted.ms} ms (found and repaired ${drifted.repaired})`,
    `change capture: ${cdc.writes} writes at ${fmt(cdc.perSecond)} /s; lag p50 ${fmt(q(0.5), 0)} ms, p99 ${fmt(q(0.99), 0)} ms, max ${fmt(q(1), 0)} ms over ${sorted.length} changes (${cdc.missing} not applied within 60 s)`,
  ];
  console.log(lines.join('\n'));
  await cleanup();
});
