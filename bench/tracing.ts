// What tracing costs the gateway: its throughput with the tracing code present but not started
// (no OTEL_EXPORTER_OTLP_ENDPOINT, the default) against the gateway of a checkout without it (the
// baseline, `--baseline <git ref>`), and with tracing on (every request a server and a client
// span, exported over OTLP to a sink in this process). Same trivial upstream, same load, runs
// interleaved; medians of throughput and of CPU per request. See bench/README.md ("Tracing overhead").
//   npm run bench:tracing -- --baseline <ref> [--runs 5] [--duration 10] [--connections 50] [--warmup 3] [--rate 2000]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { intOptions } from './lib/args.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { measureInterleaved } from './lib/interleaved.ts';
import { repoRoot, startNodeScript } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const PATH = '/api/movies?id=1';
const usage = `usage: npm run bench:tracing -- [--baseline main] [--runs 5] [--duration 10] [--connections 50] [--warmup 3] [--rate 2000]
--baseline: the git ref whose gateway is the reference; --rate: the even load (req/s) of the CPU-per-request runs.`;

const argv = process.argv.slice(2);
const at = argv.indexOf('--baseline');
const baselineArg = at >= 0 ? argv.splice(at, 2)[1] : 'main';
const { baseline, options } = optionsOrExit(() => {
  if (!baselineArg) throw new Error(`--baseline needs a git ref\n${usage}`);
  return {
    baseline: baselineArg,
    options: intOptions(argv, { runs: [5, 1, 20], duration: [10, 1, 120], connections: [50, 1, 1000], warmup: [3, 0, 60], rate: [2000, 100, 100_000] }, usage),
  };
});
const started = Date.now();
const log = elapsedLog(started);
guard((3 * (options.warmup + options.runs * 2 * (options.duration + 5)) + 120) * 2000);

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
  const gateway = (name: string, env: Record<string, string>) => startNodeScript(name, 'bench/lib/tracing-gateway.ts', { UPSTREAM: upstream, ...env }, PATH);
  const targets = [
    await gateway(`gateway (${baseline})`, { GATEWAY_SRC: source, TRACING: 'off' }),
    await gateway('gateway, tracing off', { TRACING: 'off' }),
    await gateway('gateway, tracing on', { TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }),
  ];
  const measured = await measureInterleaved(targets, PATH, options, log);
  if (sink.exports() === 0) throw new Error('tracing on exported nothing: the comparison would not measure tracing');
  console.log(`\n${measured.table()}`);
  const [base, off, on] = targets.map((t) => measured.median(t.name));
  // Requests one core serves = 1 / CPU per request: each target's throughput on a core of its own.
  const ratios = (a: typeof base, b: typeof base) => ({ throughput: a!.throughput / b!.throughput, perCore: b!.cpuMicros / a!.cpuMicros });
  const offVsBaseline = ratios(off, base);
  const onVsOff = ratios(on, off);
  const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
  console.log(`\ntracing off / ${baseline}: throughput ${pct(offVsBaseline.throughput)}, per core ${pct(offVsBaseline.perCore)} (target ≥ 95 %)`);
  console.log(`tracing on / tracing off: throughput ${pct(onVsOff.throughput)}, per core ${pct(onVsOff.perCore)} (${sink.exports()} OTLP exports received)`);
  const file = await writeResults('tracing', new Date().toISOString(), {
    options,
    baseline,
    machine: machine(),
    load1: load1(),
    results: Object.fromEntries(measured.throughput),
    cpuMicrosPerRequest: Object.fromEntries(measured.cpuMicros),
    offVsBaseline,
    onVsOff,
  });
  console.log(`raw runs: ${file}`);
});
