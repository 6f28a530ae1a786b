// Shadow comparison's cost to the client: two gateways in the same run, identical but for the
// route's shadow percentage (0 and 100), in front of the trivial upstream (both backends), at a
// fixed open-loop rate; the added p50 is the median over runs of p50(100 %) − p50(0 %).
//   npm run bench:shadow -- --runs 5 --duration 10 --rate 1000
// See bench/README.md ("Shadow comparison").
import { intOptions } from './lib/args.ts';
import { withCpu } from './lib/cpu-groups.ts';
import { guard } from './lib/cleanup.ts';
import { median } from './lib/load.ts';
import { runPaced, type PacedResult } from './lib/paced.ts';
import { startNodeScript } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmt, fmtMs, writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const PATH = '/api/movies?id=1';
const usage = 'usage: npm run bench:shadow -- [--runs 5] [--duration 10] [--rate 1000] [--connections 50] [--warmup 3]';

const options = optionsOrExit(() =>
  intOptions(
    process.argv.slice(2),
    { runs: [5, 1, 20], duration: [10, 1, 120], rate: [1000, 1, 20_000], connections: [50, 1, 1000], warmup: [3, 0, 60] },
    usage,
  ),
);
const started = Date.now();
const log = elapsedLog(started);
guard((options.runs * 2 * (options.duration + 10) + options.warmup * 2 + 120) * 1000);

const child = (name: string, script: string, env: Record<string, string>) => startNodeScript(name, script, env, PATH);

/** gateway_shadow_requests_total by result, from the gateway's /metrics. */
async function shadowCounts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^gateway_shadow_requests_total\{.*result="([a-z_]+)".*\} (\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

const paced = (url: string, duration: number) => runPaced({ url, path: () => PATH, rate: options.rate, duration, connections: options.connections });

async function main(): Promise<void> {
  const upstream = await child('trivial upstream', 'bench/lib/trivial-upstream.ts', {});
  const gateways = {
    'shadow 0 %': await child('gateway, shadow 0 %', 'bench/lib/shadow-gateway.ts', { OLD_URL: upstream.url, NEW_URL: upstream.url, SHADOW_PERCENT: '0' }),
    'shadow 100 %': await child('gateway, shadow 100 %', 'bench/lib/shadow-gateway.ts', {
      OLD_URL: upstream.url,
      NEW_URL: upstream.url,
      SHADOW_PERCENT: '100',
    }),
  };
  const startLoad = load1();
  if (options.warmup > 0) for (const g of Object.values(gateways)) await paced(g.url, options.warmup);
  const runs: { target: string; run: number; result: PacedResult; cpuMicrosPerRequest: number }[] = [];
  for (let run = 1; run <= options.runs; run++) {
    // Alternating order, so drift on a shared machine falls on both sides.
    const order = run % 2 ? Object.entries(gateways) : Object.entries(gateways).reverse();
    for (const [target, g] of order) {
      // The gateway's CPU per request: what shadowing costs it, less disturbed by a busy machine than latency.
      const t0 = performance.now();
      const { value: result, cpu } = await withCpu(
        () => ({ gateway: [g.pid] }),
        () => paced(g.url, options.duration),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpuMicrosPerRequest = Math.round(((cpu?.groups['gateway'] ?? Number.NaN) * seconds * 1e6) / result.ok);
      runs.push({ target, run, result, cpuMicrosPerRequest });
      log(
        `${target} run ${run}/${options.runs}: p50 ${fmtMs(result.latency.p50)} ms, p99 ${fmtMs(result.latency.p99)} ms, ok ${result.ok}/${result.sent}, errors ${result.errors}, gateway CPU ${cpuMicrosPerRequest} µs/request`,
      );
    }
  }
  const of = (target: string) => runs.filter((r) => r.target === target).map((r) => r.result);
  const summary = Object.keys(gateways).map((target) => ({
    target,
    cpuMicrosPerRequest: median(runs.filter((r) => r.target === target).map((r) => r.cpuMicrosPerRequest)),
    p50: median(of(target).map((r) => r.latency.p50)),
    p99: median(of(target).map((r) => r.latency.p99)),
    non200: of(target).reduce((n, r) => n + r.sent - r.ok, 0),
  }));
  // Paired per run (same moment of the machine), then the median of the differences.
  const added = median(Array.from({ length: options.runs }, (_, i) => of('shadow 100 %')[i]!.latency.p50 - of('shadow 0 %')[i]!.latency.p50));
  const counts = await shadowCounts(gateways['shadow 100 %'].url);
  const report = {
    date: new Date(started).toISOString(),
    command: `npm run bench:shadow -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    options,
    loadAverage: { start: startLoad, end: load1() },
    summary,
    addedP50: added,
    shadowCounts: counts,
    runs,
  };
  const file = await writeResults('shadow', report.date, report);
  console.log(
    [
      `Trivial upstream behind both backends, GET ${PATH} at ${fmt(options.rate)} req/s (open loop), medians of ${options.runs} runs × ${options.duration} s:`,
      '',
      '| Gateway | p50 ms | p99 ms | non-200 | gateway CPU µs/request |',
      '|---|---:|---:|---:|---:|',
      ...summary.map((s) => `| ${s.target} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${s.non200} | ${s.cpuMicrosPerRequest} |`),
      '',
      `Added p50 with shadow at 100 % (median of paired runs): **${fmtMs(added)} ms** (target < 1 ms: ${added < 1 ? 'met' : 'not met'}). ` +
        `Shadows of the 100 % gateway: ${JSON.stringify(counts)}.`,
      '',
      `Machine: ${report.machine.cores} cores, ${report.machine.cpu}, Node ${report.machine.node}; load average ${report.loadAverage.start} → ${report.loadAverage.end}`,
    ].join('\n'),
  );
  log(`raw results in ${file}`);
}

runBench('bench:shadow', main);
