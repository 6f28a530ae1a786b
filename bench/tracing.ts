// What tracing costs the gateway: its throughput with the tracing code present but not started
// (no OTEL_EXPORTER_OTLP_ENDPOINT, the default) against the gateway of a checkout without it (the
// baseline, `--baseline <git ref>`; `--candidate <ref>` measures another checkout than this one, e.g.
// the commit that added tracing, so later changes do not count), and with tracing on (every request a server and a client
// span, exported over OTLP to a sink in this process). Same trivial upstream, same load, runs
// interleaved; medians of throughput and of CPU per request. See bench/README.md ("Tracing overhead").
//   npm run bench:tracing -- --baseline <ref> [--candidate <ref>] [--runs 5] [--duration 10] [--connections 50] [--warmup 3] [--rate 2000] [--fresh 1]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { intOptions } from './lib/args.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { measureInterleaved, startTarget } from './lib/interleaved.ts';
import { repoRoot, startNodeScript } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const PATH = '/api/movies?id=1';
const DRIVER = 'bench/lib/tracing-gateway.ts';
const usage = `usage: npm run bench:tracing -- [--baseline main] [--candidate <ref>] [--runs 5] [--duration 10] [--connections 50] [--warmup 3] [--rate 2000] [--fresh 1]
--baseline: the git ref whose gateway is the reference; --candidate: the ref whose gateway is measured with tracing off and on
(default: this checkout); --rate: the even load (req/s) of the CPU-per-request runs; --fresh 0: one process per target for
all rounds instead of a new one each round.`;

const argv = process.argv.slice(2);
const refArg = (flag: string) => {
  const at = argv.indexOf(flag);
  return at >= 0 ? (argv.splice(at, 2)[1] ?? '') : undefined;
};
const baselineArg = refArg('--baseline') ?? 'main';
const candidateArg = refArg('--candidate');
const { baseline, candidate, options } = optionsOrExit(() => {
  if (!baselineArg || candidateArg === '') throw new Error(`--baseline and --candidate need a git ref\n${usage}`);
  return {
    baseline: baselineArg,
    candidate: candidateArg,
    options: intOptions(
      argv,
      { runs: [5, 1, 20], duration: [10, 1, 120], connections: [50, 1, 1000], warmup: [3, 0, 60], rate: [2000, 100, 100_000], fresh: [1, 0, 1] },
      usage,
    ),
  };
});
const started = Date.now();
const log = elapsedLog(started);
guard((3 * (options.runs * (options.warmup + 2 * (options.duration + 5) + 10)) + 120) * 2000);

/**
 * A reference gateway: the whole checkout of `ref` (git archive, then its own `npm ci`, kept in .cache/bench
 * for the next run), so its gateway runs on the shared packages of its own day, not this checkout's
 * (an older gateway need not even import today's). Its driver is this checkout's tracing-gateway.ts.
 */
function checkout(ref: string): string {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = join(repoRoot, '.cache', 'bench', `checkout-${commit}`);
  if (!existsSync(join(dir, 'node_modules', '.package-lock.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C '${dir}'`], { cwd: repoRoot });
    log(`npm ci in ${dir} (once per baseline)`);
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  mkdirSync(join(dir, 'bench', 'lib'), { recursive: true });
  copyFileSync(join(repoRoot, DRIVER), join(dir, DRIVER));
  return dir;
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
  const source = checkout(baseline);
  log(`baseline ${baseline}: ${source}`);
  const candidateRoot = candidate ? checkout(candidate) : repoRoot;
  log(`tracing off and on: ${candidate ? `${candidate}: ${candidateRoot}` : 'this checkout'}`);
  const sink = await otlpSink();
  const upstream = (await startNodeScript('trivial upstream', 'bench/lib/trivial-upstream.ts', {}, PATH)).url;
  // A fresh process of each target every round (interleaved.ts): the process-to-process spread is as wide as the effect.
  const gateway = (name: string, env: Record<string, string>, root = repoRoot) =>
    startTarget(() => startNodeScript(name, join(root, DRIVER), { UPSTREAM: upstream, ...env }, PATH), options.fresh === 1);
  const targets = [
    await gateway(`gateway (${baseline})`, { TRACING: 'off' }, source),
    await gateway('gateway, tracing off', { TRACING: 'off' }, candidateRoot),
    await gateway('gateway, tracing on', { TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, candidateRoot),
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
    candidate: candidate ?? 'this checkout',
    machine: machine(),
    load1: load1(),
    results: Object.fromEntries(measured.throughput),
    cpuMicrosPerRequest: Object.fromEntries(measured.cpuMicros),
    offVsBaseline,
    onVsOff,
  });
  console.log(`raw runs: ${file}`);
});
