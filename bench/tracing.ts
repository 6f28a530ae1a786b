// What tracing costs the gateway: its throughput with the tracing code present but not started
// (no OTEL_EXPORTER_OTLP_ENDPOINT, the default) against the gateway of a checkout without it (the
// baseline, `--baseline <git ref>`), and with tracing on (every request a server and a client
// span, exported over OTLP to a sink in this process). Same trivial upstream, same load, runs
// interleaved; medians. See bench/README.md ("Tracing overhead").
//   npm run bench:tracing -- --baseline <ref> [--runs 5] [--duration 10] [--connections 50] [--warmup 3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { intOptions } from './lib/args.ts';
import { runCannon } from './lib/cannon.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { median } from './lib/load.ts';
import { repoRoot, startNodeScript } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmt, range, writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const PATH = '/api/movies?id=1';
const usage = 'usage: npm run bench:tracing -- [--baseline main] [--runs 5] [--duration 10] [--connections 50] [--warmup 3]';

const argv = process.argv.slice(2);
const at = argv.indexOf('--baseline');
const baselineArg = at >= 0 ? argv.splice(at, 2)[1] : 'main';
const { baseline, options } = optionsOrExit(() => {
  if (!baselineArg) throw new Error(`--baseline needs a git ref\n${usage}`);
  return { baseline: baselineArg, options: intOptions(argv, { runs: [5, 1, 20], duration: [10, 1, 120], connections: [50, 1, 1000], warmup: [3, 0, 60] }, usage) };
});
const started = Date.now();
const log = elapsedLog(started);
guard((3 * (options.warmup + options.runs * (options.duration + 5)) + 120) * 2000);

/** The baseline's gateway source, from git (its imports of the shared packages resolve to this checkout's). */
function exportBaseline(ref: string): string {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = join(repoRoot, '.cache', 'bench', `gateway-${commit}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', ['-c', `git archive ${commit} services/gateway/src | tar -x -C '${dir}'`], { cwd: repoRoot });
  return join(dir, 'services/gateway/src');
}

/** An OTLP/HTTP endpoint that takes every export and keeps nothing (an empty body is an empty ExportTraceServiceResponse). */
async function otlpSink(): Promise<{ url: string; exports: () => number }> {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' }).end();
    });
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  onCleanup('stop the OTLP sink', () => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, exports: () => exports };
}

runBench('bench:tracing', async () => {
  const source = exportBaseline(baseline);
  log(`baseline ${baseline}: ${source}`);
  const sink = await otlpSink();
  const upstream = (await startNodeScript('trivial upstream', 'bench/lib/trivial-upstream.ts', {}, PATH)).url;
  const gateway = async (name: string, env: Record<string, string>) =>
    ({ name, url: (await startNodeScript(name, 'bench/lib/tracing-gateway.ts', { UPSTREAM: upstream, ...env }, PATH)).url });
  const targets = [
    await gateway(`gateway (${baseline})`, { GATEWAY_SRC: source, TRACING: 'off' }),
    await gateway('gateway, tracing off', { TRACING: 'off' }),
    await gateway('gateway, tracing on', { TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }),
  ];
  for (const t of targets) {
    log(`warm-up ${t.name}`);
    await runCannon({ url: t.url, path: () => PATH, connections: options.connections, duration: options.warmup });
  }
  const results = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let run = 1; run <= options.runs; run++) {
    // Interleaved, in a rotating order, so drift on a shared machine spreads over every target.
    for (const t of [...targets.slice(run % 3), ...targets.slice(0, run % 3)]) {
      const result = await runCannon({ url: t.url, path: () => PATH, connections: options.connections, duration: options.duration });
      if (result.notOk + result.errors + result.timeouts > 0) throw new Error(`${t.name}: ${result.notOk} non-200, ${result.errors} errors, ${result.timeouts} timeouts`);
      results.get(t.name)!.push(result.okPerSec);
      log(`run ${run} ${t.name}: ${fmt(result.okPerSec)} req/s`);
    }
  }
  const med = (i: number) => median(results.get(targets[i]!.name)!);
  console.log(`\n| target | median req/s | range |\n|---|---:|---|`);
  for (const t of targets) console.log(`| ${t.name} | ${fmt(median(results.get(t.name)!))} | ${range(results.get(t.name)!)} |`);
  const offVsBaseline = med(1) / med(0);
  const onVsOff = med(2) / med(1);
  if (sink.exports() === 0) throw new Error('tracing on exported nothing: the comparison would not measure tracing');
  console.log(`\ntracing off / ${baseline}: ${(offVsBaseline * 100).toFixed(1)} % (target ≥ 95 %)`);
  console.log(`tracing on / tracing off: ${(onVsOff * 100).toFixed(1)} % (${sink.exports()} OTLP exports received)`);
  const file = await writeResults('tracing', new Date().toISOString(), { options, baseline, machine: machine(), load1: load1(), results: Object.fromEntries(results), offVsBaseline, onVsOff });
  console.log(`raw runs: ${file}`);
});
