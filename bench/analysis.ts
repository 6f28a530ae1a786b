// Throughput with analysis on: the gateway counting every request of a canary route (shadow at 0 %)
// against the same gateway without a control plane and the minimal Node proxy, same upstream, same
// load, runs interleaved; medians of throughput and of each target's CPU per request (the figure
// that survives a shared machine). See bench/README.md ("Analysis overhead").
//   npm run bench:analysis -- --runs 5 --duration 10 --connections 50 [--store postgres|pglite]
import { parseArgs } from 'node:util';
import { intOptions } from './lib/args.ts';
import { guard } from './lib/cleanup.ts';
import { DEFAULT_POSTGRES_URL, checkPostgres, freshDatabase } from './lib/dataset.ts';
import { measureInterleaved, startTarget } from './lib/interleaved.ts';
import { median } from './lib/load.ts';
import { startNodeScript } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';
import { WindowCounter } from '../services/gateway/src/analysis/window.ts';
import { applyChanges, initialState } from '../services/gateway/src/control/state.ts';
import type { RouteSpec } from '../services/gateway/src/routing/table.ts';

const PATH = '/api/movies?id=1';
const usage = `usage: npm run bench:analysis -- [--runs 5] [--duration 10] [--connections 50] [--warmup 3] [--store postgres|pglite] [--rate 3000] [--fresh 1]
--rate: the even load (req/s) at which each target's CPU per request is measured; --fresh 0: one process per target
for all rounds instead of a new one each round.
--store: where the analysed gateway flushes and judges its windows: PostgreSQL (the distributed
gateway; BENCH_DATABASE_URL, default the server of scripts/postgres.sh, database
cinemaabyss_bench_analysis created and dropped) or an in-process PGlite (the embedded mode).`;

const options = optionsOrExit(() => {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({ args: argv, options: { store: { type: 'string', default: 'postgres' } }, strict: false });
  if (values.store !== 'postgres' && values.store !== 'pglite') throw new Error(`--store must be postgres or pglite\n${usage}`);
  const rest = argv.filter((arg, i) => arg !== '--store' && argv[i - 1] !== '--store' && !arg.startsWith('--store='));
  return {
    ...intOptions(
      rest,
      { runs: [5, 1, 20], duration: [10, 1, 120], connections: [50, 1, 1000], warmup: [3, 0, 60], rate: [3000, 100, 100_000], fresh: [1, 0, 1] },
      usage,
    ),
    store: values.store,
  };
});
const started = Date.now();
const log = elapsedLog(started);
guard((3 * (options.runs * (options.warmup + 2 * (options.duration + 5) + 10)) + 120) * 2000);

let user = 0;
const headers = () => ({ 'x-user-id': String((user++ % 10_000) + 1) });

// A fresh process of each target every round (interleaved.ts, `--fresh 0`: one for all rounds).
const child = (name: string, script: string, env: Record<string, string>) => startTarget(() => startNodeScript(name, script, env, PATH), options.fresh === 1);

/** The data plane's added work per request on an analysed route, in-process: ns per call (median of 5 rounds). */
function counterCost(): number {
  const route: RouteSpec = {
    name: 'movies',
    prefix: '/api/movies',
    backend: 'monolith',
    migration: { to: 'movies', enabled: true, percent: 50, mode: 'sticky', fallback: true },
  };
  route.live = applyChanges(initialState(route, new Date())!, { stage: 'canary', percent: 50, analysis: { enabled: true } }, new Date());
  const counter = new WindowCounter();
  const n = 2_000_000;
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) counter.finished(route, i & 1 ? 'movies' : 'monolith', 200, undefined, 0.0005 + (i % 100) / 10_000, 'bucket');
    rounds.push(Number(process.hrtime.bigint() - t) / n);
    counter.drain(true);
  }
  return median(rounds);
}

runBench('bench:analysis', async () => {
  const perRequestNs = counterCost();
  log(`analysis counter: ${perRequestNs.toFixed(0)} ns per request`);
  const store: Record<string, string> = {};
  if (options.store === 'postgres') {
    const server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
    log(`analysis store: ${await checkPostgres(server)}`);
    store['DATABASE_URL'] = await freshDatabase(server, 'cinemaabyss_bench_analysis');
  }
  const upstream = (await startNodeScript('trivial upstream', 'bench/lib/trivial-upstream.ts', {}, PATH)).url;
  const targets = [
    await child('node proxy', 'bench/lib/node-proxy.ts', { UPSTREAM: upstream }),
    await child('gateway', 'bench/lib/analysis-gateway.ts', { UPSTREAM: upstream, ANALYSIS: 'off' }),
    await child('gateway + analysis', 'bench/lib/analysis-gateway.ts', { UPSTREAM: upstream, ANALYSIS: 'on', ...store }),
  ];
  const measured = await measureInterleaved(targets, PATH, options, log, headers);
  const med = (name: string) => measured.median(name).throughput;
  const cpu = (name: string) => measured.median(name).cpuMicros;
  console.log(`\n${measured.table()}`);
  const vsGateway = med('gateway + analysis') / med('gateway');
  const vsProxy = med('gateway + analysis') / med('node proxy');
  // Requests one core serves = 1 / CPU per request: each target's throughput on a core of its own.
  const capacityVsGateway = cpu('gateway') / cpu('gateway + analysis');
  const capacityVsProxy = cpu('node proxy') / cpu('gateway + analysis');
  // The same at saturation: below 1 with equal cores, the gateway's own work per answer; near 1
  // with fewer cores, the scheduler (two cores shared with the load generator and the upstream).
  const full = (name: string) => measured.median(name).fullLoadCpuMicros;
  const saturatedVsProxy = full('node proxy') / full('gateway + analysis');
  const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
  console.log(`\nanalysis counter, in-process: ${perRequestNs.toFixed(0)} ns per request; analysis store: ${options.store}`);
  console.log(`gateway + analysis / gateway: throughput ${pct(vsGateway)}, per core ${pct(capacityVsGateway)} (target ≥ 90 %)`);
  console.log(`gateway + analysis / node proxy: throughput ${pct(vsProxy)}, per core ${pct(capacityVsProxy)} (target ≥ 90 %)`);
  console.log(
    `gateway + analysis / node proxy at full load: per core ${pct(saturatedVsProxy)}, cores ${pct(measured.median('gateway + analysis').fullLoadCores / measured.median('node proxy').fullLoadCores)}`,
  );
  const file = await writeResults('analysis', new Date().toISOString(), {
    options,
    machine: machine(),
    load1: load1(),
    results: Object.fromEntries(measured.throughput),
    cpuMicrosPerRequest: Object.fromEntries(measured.cpuMicros),
    fullLoad: Object.fromEntries(measured.fullLoad),
    perRequestNs,
    vsGateway,
    vsProxy,
    capacityVsGateway,
    capacityVsProxy,
    saturatedVsProxy,
  });
  console.log(`raw runs: ${file}`);
});
