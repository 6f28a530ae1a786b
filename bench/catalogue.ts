// Cached catalogue benchmark: GET /api/movies (the whole list, 10,000 movies) on PostgreSQL
//   uncached  the monolith, whose list is the movies service's code before the catalogue
//             (same query, same serializer): the reference, measured in the same run
//   cached    the movies service, from its pre-serialised catalogue
//   304       the movies service with If-None-Match set to the list's ETag
//   npm run bench:catalogue -- --runs 5 --duration 10 --connections 10
// See bench/README.md for the method and recorded results.
import { intOptions } from './lib/args.ts';
import { guard } from './lib/cleanup.ts';
import { cpuSnapshot, cpuUse } from './lib/cpu.ts';
import { DEFAULT_POSTGRES_URL, backendPids, checkPostgres, preparePostgres } from './lib/dataset.ts';
import { median, runLoad, type RunResult } from './lib/load.ts';
import { describeRun, load1, machine } from './lib/report.ts';
import { fmt, writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';
import { startService, type Service } from './lib/service.ts';

const usage = `usage: npm run bench:catalogue -- [--runs 5] [--duration 10] [--connections 10] [--warmup 3] [--movies 10000]
PostgreSQL: BENCH_DATABASE_URL (default: the server of scripts/postgres.sh); the benchmark
creates and drops the database cinemaabyss_bench_catalogue on that server.`;
const options = optionsOrExit(() =>
  intOptions(
    process.argv.slice(2),
    { runs: [5, 1, 50], duration: [10, 1, 300], connections: [10, 1, 500], warmup: [3, 0, 60], movies: [10_000, 5, 1_000_000] },
    usage,
  ),
);
const postgresUrl = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
const started = Date.now();
const loadAtStart = load1();
const log = elapsedLog(started);
guard((2 * 3 * (options.warmup + options.runs * (options.duration + 2)) + 240) * 1000);

interface Scenario {
  name: 'uncached' | 'cached' | '304';
  service: Service;
  headers?: Record<string, string>;
  status?: number;
}

async function measure(scenario: Scenario, dbUrl: string, duration: number): Promise<RunResult> {
  const { service } = scenario;
  const pids = { service: service.pid, database: await backendPids(dbUrl) };
  const before = cpuSnapshot(pids);
  const result = await runLoad({ url: service.url, path: () => '/api/movies', connections: options.connections, duration, ...scenario });
  result.cpu = cpuUse(before, cpuSnapshot(pids), service.pid);
  return result;
}

async function main(): Promise<void> {
  const version = await checkPostgres(postgresUrl);
  log(`loading ${options.movies} movies into PostgreSQL ${version}...`);
  const { env } = await preparePostgres(postgresUrl, options.movies, 'cinemaabyss_bench_catalogue');
  const dbUrl = env['DB_CONNECTION_STRING']!;
  const monolith = await startService('monolith', env);
  const movies = await startService('movies', env);
  const first = await fetch(`${movies.url}/api/movies`);
  const etag = first.headers.get('etag');
  const items = ((await first.json()) as unknown[]).length;
  if (!etag || items !== options.movies) throw new Error(`movies list: ${items} movies, ETag ${etag}; expected ${options.movies} and a tag`);
  const reference = await (await fetch(`${monolith.url}/api/movies`)).json();
  if ((reference as unknown[]).length !== items) throw new Error('the monolith and the movies service list different movies');

  const scenarios: Scenario[] = [
    { name: 'uncached', service: monolith },
    { name: 'cached', service: movies },
    { name: '304', service: movies, headers: { 'if-none-match': etag }, status: 304 },
  ];
  const runs = new Map<string, RunResult[]>(scenarios.map((s) => [s.name, []]));
  for (const scenario of scenarios) if (options.warmup > 0) await measure(scenario, dbUrl, options.warmup);
  // Scenarios take turns run by run, so a slow phase of the machine does not hit only one of them.
  for (let run = 1; run <= options.runs; run++) {
    for (const scenario of scenarios) {
      const result = await measure(scenario, dbUrl, options.duration);
      runs.get(scenario.name)!.push(result);
      log(`${scenario.name} run ${run}/${options.runs}: ${describeRun(result)}`);
    }
  }
  const medians = scenarios.map(({ name }) => {
    const of = (pick: (r: RunResult) => number) => median(runs.get(name)!.map(pick));
    return {
      name,
      requestsPerSec: of((r) => r.requestsPerSec),
      p50: of((r) => r.p50),
      p99: of((r) => r.p99),
      serviceCores: of((r) => r.cpu?.service ?? 0),
      otherCores: of((r) => r.cpu?.other ?? 0),
    };
  });
  const uncached = medians[0]!.requestsPerSec;
  console.log('| Scenario | req/s | × uncached | p50 ms | p99 ms | service cores | other cores |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const { name, ...m } of medians) {
    console.log(
      `| ${name} | ${fmt(m.requestsPerSec, 1)} | ${fmt(m.requestsPerSec / uncached, 1)}× | ${m.p50} | ${m.p99} | ${m.serviceCores.toFixed(2)} | ${m.otherCores.toFixed(2)} |`,
    );
  }
  const date = new Date().toISOString();
  const file = await writeResults('catalogue', date, {
    date,
    machine: machine(),
    database: `PostgreSQL ${version}`,
    options,
    loadAverage: { start: loadAtStart, end: load1() },
    medians,
    runs: Object.fromEntries(runs),
  });
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; raw results in ${file}`);
}

runBench('bench:catalogue', main);
