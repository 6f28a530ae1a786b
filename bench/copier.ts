// What one row of the backfill costs, and where: the copier's batches (services/movies/src/data/
// backfill.ts, copyBatch) run back to back, unpaced, over a fresh copy of `--movies` movies on
// PostgreSQL, for each `--batches` size; CPU per row of this process (the copier's Node side) and
// of the two PostgreSQL backends it uses (the monolith's database, the own one), from /proc.
// Batch sizes side by side split the cost into a part per batch and a part per row.
//   npm run bench:copier -- [--movies 100000] [--rounds 3] [--batches 10,25,50,100,500]
import { sql } from 'drizzle-orm';
import { connectPostgres, migrate, type PostgresDatabase } from '@cinemaabyss/db';
import { moviesStoreMigrations } from '@cinemaabyss/movies';
import { copyBatch, readCheckpoint } from '../services/movies/src/data/backfill.ts';
import { intOptions } from './lib/args.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { processTicks } from './lib/cpu.ts';
import { TICKS_PER_SECOND } from './lib/cpu-groups.ts';
import { DEFAULT_POSTGRES_URL, freshDatabase, preparePostgres } from './lib/dataset.ts';
import { median } from './lib/load.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const USAGE = 'npm run bench:copier -- [--movies 100000] [--rounds 3] [--batches 10,25,50,100,500] (BENCH_DATABASE_URL: the PostgreSQL server)';
const argv = process.argv.slice(2);
const at = argv.indexOf('--batches');
const batchList = at >= 0 ? (argv.splice(at, 2)[1] ?? '') : '10,25,50,100,500';
const { options, batches } = optionsOrExit(() => {
  const batches = batchList.split(',').map(Number);
  if (batches.some((b) => !Number.isInteger(b) || b < 1 || b > 50_000)) throw new Error(`--batches: sizes 1–50000, comma-separated\n${USAGE}`);
  return { options: intOptions(argv, { movies: [100_000, 1000, 2_000_000], rounds: [3, 1, 20] }, USAGE), batches };
});
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
const log = elapsedLog(Date.now());
guard(1_800_000);

/** utime + stime of a process, in seconds. */
const cpuSeconds = (pid: number) => processTicks(pid) / TICKS_PER_SECOND;

const open = (url: string): PostgresDatabase => {
  // One connection each: its backend is the one whose CPU is read.
  const database = connectPostgres({ url, poolSize: 1 });
  onCleanup('close a bench pool', () => database.close());
  return database;
};
const backendPid = async (database: PostgresDatabase) => (await database.pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

runBench('bench:copier', async () => {
  log(`PostgreSQL at ${serverUrl}: ${options.movies} movies`);
  const prepared = await preparePostgres(serverUrl, options.movies, 'cinemaabyss_bench_copier');
  const legacy = open(prepared.env['DB_CONNECTION_STRING']!);
  const own = open(await freshDatabase(serverUrl, 'cinemaabyss_bench_copier_own'));
  await migrate(own, moviesStoreMigrations);
  const [legacyPid, ownPid] = [await backendPid(legacy), await backendPid(own)];
  const rows: string[] = [];
  for (const batch of batches) {
    const rounds: { rowsPerSecond: number; node: number; legacy: number; own: number }[] = [];
    // A warm-up round first (prepares the statements, warms the caches), not counted.
    for (let round = 0; round <= options.rounds; round++) {
      await own.db.execute(sql`truncate movies.movies`);
      await own.db.execute(
        sql`insert into movies.procedure (id, phase) values (1, 2) on conflict (id) do update set phase = 2, backfill_cursor = 0, backfill_target = null, backfill_copied = 0, backfill_done = false`,
      );
      let from = await readCheckpoint(legacy.db, own.db);
      let copied = 0;
      const started = performance.now();
      const node = process.cpuUsage();
      const [legacy0, own0] = [cpuSeconds(legacyPid), cpuSeconds(ownPid)];
      while (from) {
        const result = await copyBatch(legacy.db, own.db, from, batch);
        if (!result.next) throw new Error('a batch did not land: is something else copying into this database?');
        copied += result.rows;
        from = result.done ? undefined : result.next;
      }
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(node);
      const perRow = (cpu: number) => (cpu * 1e6) / copied;
      if (copied !== options.movies) throw new Error(`copied ${copied} rows of ${options.movies}`);
      if (round === 0) continue;
      rounds.push({
        rowsPerSecond: copied / seconds,
        node: perRow((used.user + used.system) / 1e6),
        legacy: perRow(cpuSeconds(legacyPid) - legacy0),
        own: perRow(cpuSeconds(ownPid) - own0),
      });
    }
    const m = (key: keyof (typeof rounds)[number]) => median(rounds.map((r) => r[key]));
    const total = m('node') + m('legacy') + m('own');
    log(
      `batches of ${batch}: ${m('rowsPerSecond').toFixed(0)} rows/s; µs per row: copier ${m('node').toFixed(1)}, monolith's database ${m('legacy').toFixed(1)}, own database ${m('own').toFixed(1)}`,
    );
    rows.push(
      `| ${batch} | ${m('rowsPerSecond').toFixed(0)} | ${m('node').toFixed(1)} | ${m('legacy').toFixed(1)} | ${m('own').toFixed(1)} | ${total.toFixed(1)} | ${((total * 6000) / 1e6).toFixed(2)} |`,
    );
  }
  console.log(
    [
      `\n${options.movies} movies, medians of ${options.rounds} rounds, unpaced`,
      '| batch | rows/s | copier (Node) µs/row | monolith DB µs/row | own DB µs/row | total µs/row | cores at 6,000 rows/s |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  );
});
