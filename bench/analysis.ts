// Throughput with analysis on: the gateway counting every request of a canary route (shadow at 0 %)
// against the same gateway without a control plane and the minimal Node proxy, same upstream, same
// load, runs interleaved; medians. See bench/README.md ("Analysis overhead").
//   npm run bench:analysis -- --runs 5 --duration 10 --connections 50
import { intOptions } from './lib/args.ts';
import { runCannon } from './lib/cannon.ts';
import { guard } from './lib/cleanup.ts';
import { median } from './lib/load.ts';
import { startNodeScript } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmt, range, writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';
import { WindowCounter } from '../services/gateway/src/analysis/window.ts';
import { applyChanges, initialState } from '../services/gateway/src/control/state.ts';
import type { RouteSpec } from '../services/gateway/src/routing/table.ts';

const PATH = '/api/movies?id=1';
const usage = 'usage: npm run bench:analysis -- [--runs 5] [--duration 10] [--connections 50] [--warmup 3]';

const options = optionsOrExit(() =>
  intOptions(process.argv.slice(2), { runs: [5, 1, 20], duration: [10, 1, 120], connections: [50, 1, 1000], warmup: [3, 0, 60] }, usage),
);
const started = Date.now();
const log = elapsedLog(started);
guard((3 * (options.warmup + options.runs * (options.duration + 5)) + 120) * 2000);

let user = 0;
const headers = () => ({ 'x-user-id': String((user++ % 10_000) + 1) });

const child = async (name: string, script: string, env: Record<string, string>) => (await startNodeScript(name, script, env, PATH)).url;

/** The data plane's added work per request on an analysed route, in-process: ns per call (median of 5 rounds). */
function counterCost(): number {
  const route: RouteSpec = { name: 'movies', prefix: '/api/movies', backend: 'monolith', migration: { to: 'movies', enabled: true, percent: 50, mode: 'sticky', fallback: true } };
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
  const upstream = await child('trivial upstream', 'bench/lib/trivial-upstream.ts', {});
  const targets = [
    { name: 'node proxy', url: await child('node proxy', 'bench/lib/node-proxy.ts', { UPSTREAM: upstream }) },
    { name: 'gateway', url: await child('gateway', 'bench/lib/analysis-gateway.ts', { UPSTREAM: upstream, ANALYSIS: 'off' }) },
    { name: 'gateway + analysis', url: await child('gateway + analysis', 'bench/lib/analysis-gateway.ts', { UPSTREAM: upstream, ANALYSIS: 'on' }) },
  ];
  for (const t of targets) {
    log(`warm-up ${t.name}`);
    await runCannon({ url: t.url, path: () => PATH, headers, connections: options.connections, duration: options.warmup });
  }
  const results = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let run = 1; run <= options.runs; run++) {
    // Interleaved, in a rotating order, so drift on a shared machine spreads over every target.
    for (const t of [...targets.slice(run % 3), ...targets.slice(0, run % 3)]) {
      const result = await runCannon({ url: t.url, path: () => PATH, headers, connections: options.connections, duration: options.duration });
      if (result.notOk + result.errors + result.timeouts > 0) throw new Error(`${t.name}: ${result.notOk} non-200, ${result.errors} errors, ${result.timeouts} timeouts`);
      results.get(t.name)!.push(result.okPerSec);
      log(`run ${run} ${t.name}: ${fmt(result.okPerSec)} req/s`);
    }
  }
  const med = (name: string) => median(results.get(name)!);
  console.log(`\n| target | median req/s | range |\n|---|---:|---|`);
  for (const t of targets) console.log(`| ${t.name} | ${fmt(med(t.name))} | ${range(results.get(t.name)!)} |`);
  const vsGateway = med('gateway + analysis') / med('gateway');
  const vsProxy = med('gateway + analysis') / med('node proxy');
  console.log(`\nanalysis counter, in-process: ${perRequestNs.toFixed(0)} ns per request`);
  console.log(`gateway + analysis / gateway: ${(vsGateway * 100).toFixed(1)} % (target ≥ 90 %)`);
  console.log(`gateway + analysis / node proxy: ${(vsProxy * 100).toFixed(1)} % (target ≥ 90 %)`);
  const file = await writeResults('analysis', new Date().toISOString(), { options, machine: machine(), load1: load1(), results: Object.fromEntries(results), perRequestNs, vsGateway, vsProxy });
  console.log(`raw runs: ${file}`);
});
