// Movies API benchmark: GET /api/movies (the whole list) and GET /api/movies?id=N on PGlite and on
// PostgreSQL, each with the same generated data set, medians over repeated fixed-duration runs.
//   npm run bench:movies -- --runs 5 --duration 10 --connections 10 --backends pglite,postgres
// See bench/README.md for the method and recorded results.
import { parseOptions, type Backend, type BenchOptions, type ScenarioName } from './lib/args.ts';
import { cleanup, guard } from './lib/cleanup.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';
import { cpuSnapshot, cpuUse } from './lib/cpu.ts';
import { DEFAULT_POSTGRES_URL, backendPids, checkPostgres, type Prepared } from './lib/dataset.ts';
import { preparePglite, preparePostgres } from './lib/dataset.ts';
import { bodySize, drain, runLoad, type RunResult } from './lib/load.ts';
import { describeRun, load1, machine, markdown, summarize, writeJson } from './lib/report.ts';
import type { BenchReport, ScenarioResult } from './lib/report.ts';
import { startMovies, type Service } from './lib/service.ts';

const options = optionsOrExit(() => parseOptions(process.argv.slice(2)));
const postgresUrl = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
const started = Date.now();

// Generous upper bound (twice the planned load time plus set-up) after which everything is torn down.
const perBackend = 120 + options.scenarios.length * (options.warmup + options.runs * (options.duration + 2));
guard((2 * perBackend * options.backends.length + 120) * 1000);

const log = elapsedLog(started);

function pathOf(scenario: ScenarioName): () => string {
  if (scenario === 'list') return () => '/api/movies';
  if (scenario === 'health') return () => '/api/movies/health';
  // A different random movie per request, so no single row stays hot in any cache.
  return () => `/api/movies?id=${1 + Math.floor(Math.random() * options.movies)}`;
}

async function prepare(backend: Backend): Promise<Prepared> {
  return backend === 'postgres' ? preparePostgres(postgresUrl, options.movies) : preparePglite(options.movies);
}

type BackendResults = { info: string; results: ScenarioResult[] };

/** One load run, with where the CPU went; returns once the service has finished every answer. */
async function measure(service: Service, dbUrl: string | undefined, scenario: ScenarioName, duration: number) {
  const pids = { service: service.pid, database: dbUrl ? await backendPids(dbUrl) : [] };
  const before = cpuSnapshot(pids);
  const { connections } = options;
  const result = await runLoad({ url: service.url, path: pathOf(scenario), connections, duration });
  result.cpu = cpuUse(before, cpuSnapshot(pids), service.pid);
  await drain(service.url);
  return result;
}

async function benchBackend(backend: Backend, opts: BenchOptions): Promise<BackendResults> {
  log(`${backend}: loading ${opts.movies} movies...`);
  const prepared = await prepare(backend);
  log(`${backend}: ${prepared.info} ready; starting the movies service`);
  const service = await startMovies(prepared.env);
  try {
    const runs = new Map<ScenarioName, RunResult[]>(opts.scenarios.map((s) => [s, []]));
    const load = (scenario: ScenarioName, duration: number) => measure(service, prepared.env['DB_CONNECTION_STRING'], scenario, duration);
    for (const scenario of opts.scenarios) {
      if (opts.warmup > 0) await load(scenario, opts.warmup);
    }
    // Scenarios take turns run by run, so a slow phase of the machine does not hit only one of them.
    for (let run = 1; run <= opts.runs; run++) {
      for (const scenario of opts.scenarios) {
        const result = await load(scenario, opts.duration);
        runs.get(scenario)!.push(result);
        log(`${backend} ${scenario} run ${run}/${opts.runs}: ${describeRun(result)}`);
      }
    }
    const results = opts.scenarios.map((scenario) => summarize(backend, scenario, runs.get(scenario)!));
    const list = results.find((r) => r.scenario === 'list');
    if (list) {
      const body = await bodySize(`${service.url}/api/movies`);
      if (body.items !== opts.movies) throw new Error(`list returned ${body.items} movies, expected ${opts.movies}`);
      list.responseBytes = body.bytes;
    }
    return { info: prepared.info, results };
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  // Before any slow PGlite work: an unreachable PostgreSQL should fail the benchmark at once.
  if (options.backends.includes('postgres')) await checkPostgres(postgresUrl);
  const report: BenchReport = {
    date: new Date().toISOString(),
    command: ['npm run bench:movies', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: machine(),
    databases: {},
    options,
    elapsedSeconds: 0,
    loadAverage: { start: load1() },
    results: [],
  };
  for (const backend of options.backends) {
    const { info, results } = await benchBackend(backend, options);
    report.databases[backend] = info;
    report.results.push(...results);
    await cleanup(); // drop this backend's data before the next one is measured
  }
  report.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  report.loadAverage.end = load1();
  const file = await writeJson(report);
  console.log(markdown(report));
  console.log(`\nMachine: ${report.machine.cores} cores, ${report.machine.cpu}, Node ${report.machine.node}`);
  console.log(`Databases: ${Object.values(report.databases).join('; ')}`);
  console.log(`Load average (1 min): ${report.loadAverage.start} at start, ${report.loadAverage.end} at end`);
  log(`done in ${report.elapsedSeconds} s; raw results in ${file}`);
}

runBench('bench:movies', main);
