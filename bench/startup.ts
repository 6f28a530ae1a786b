// How long `npm start` takes until all four services answer their health checks, on a fresh data
// folder and on an existing one, against the floor of the same machine in the same run (`npm exec
// node -e 0`: npm plus an empty Node process). Interleaved runs, medians; the CPU time the start
// used until then too, which other work on a shared machine distorts far less than the wall time.
// See bench/README.md ("Start-up time").
//   npm run bench:startup -- --runs 5
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intOptions } from './lib/args.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { processGroupCpuMs } from './lib/cpu-groups.ts';
import { median } from './lib/load.ts';
import { freePort, repoRoot } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmt, range, writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const usage = 'usage: npm run bench:startup -- [--runs 5] [--timeout 120]';
const options = optionsOrExit(() => intOptions(process.argv.slice(2), { runs: [5, 1, 50], timeout: [120, 10, 600] }, usage));
const started = Date.now();
const log = elapsedLog(started);
guard((options.runs * 3 + 2) * options.timeout * 1000);

const folder = mkdtempSync(join(tmpdir(), 'cinemaabyss-startup-'));
onCleanup('remove the data folders', () => rmSync(folder, { recursive: true, force: true }));

/** Starts `npm start` on free ports and PGlite in `dataDir`; ms until every health check answers 200, and the CPU ms it used by then. */
async function startOnce(dataDir: string): Promise<{ ms: number; cpuMs: number | undefined; output: string }> {
  const ports = {
    GATEWAY_PORT: await freePort(),
    MONOLITH_PORT: await freePort(),
    MOVIES_PORT: await freePort(),
    EVENTS_PORT: await freePort(),
    GATEWAY_ADMIN_PORT: await freePort(),
  };
  const checks = [
    `http://127.0.0.1:${ports.GATEWAY_PORT}/health`,
    `http://127.0.0.1:${ports.MONOLITH_PORT}/health`,
    `http://127.0.0.1:${ports.MOVIES_PORT}/api/movies/health`,
    `http://127.0.0.1:${ports.EVENTS_PORT}/api/events/health`,
  ];
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: repoRoot,
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), PGLITE_DATA_DIR: dataDir, HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm's child (node) stops with it
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'exit');
  try {
    const pending = new Set(checks);
    while (pending.size > 0) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-2000)}`);
      if (performance.now() - t0 > options.timeout * 1000) throw new Error(`not healthy after ${options.timeout} s:\n${output.slice(-2000)}`);
      for (const url of [...pending]) {
        const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
          async (r) => {
            await r.arrayBuffer();
            return r.ok;
          },
          () => false,
        );
        if (ok) pending.delete(url);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t0;
    return { ms, cpuMs: processGroupCpuMs(child.pid!), output };
  } finally {
    // The group may have ended already (a start that failed): its error, not ESRCH, is the news.
    const signal = (name: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, name);
    };
    signal('SIGINT');
    const killer = setTimeout(() => signal('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}

async function floor(): Promise<number> {
  const t0 = performance.now();
  const child = spawn('npm', ['exec', '--', 'node', '-e', '0'], { cwd: repoRoot, stdio: 'ignore' });
  await once(child, 'exit');
  return performance.now() - t0;
}

runBench('bench:startup', async () => {
  log('warm-up: one fresh start (fills the compile cache, as the first `npm start` after `npm ci` does)');
  const existing = join(folder, 'existing');
  const first = await startOnce(existing);
  log(`first start: ${fmt(first.ms)} ms`);
  const results = { floor: [] as number[], fresh: [] as number[], existing: [] as number[] };
  const cpu = { fresh: [] as number[], existing: [] as number[] };
  const record = (kind: 'fresh' | 'existing', start: { ms: number; cpuMs: number | undefined }) => {
    results[kind].push(start.ms);
    if (start.cpuMs !== undefined) cpu[kind].push(start.cpuMs);
  };
  for (let run = 1; run <= options.runs; run++) {
    results.floor.push(await floor());
    record('fresh', await startOnce(join(folder, `fresh-${run}`)));
    rmSync(join(folder, `fresh-${run}`), { recursive: true, force: true });
    record('existing', await startOnce(existing));
    log(`run ${run}: floor ${fmt(results.floor.at(-1)!)} ms, fresh ${fmt(results.fresh.at(-1)!)} ms, existing ${fmt(results.existing.at(-1)!)} ms`);
  }
  const cpuCell = (runs: number[]) => (runs.length > 0 ? `${fmt(median(runs))} | ${range(runs)}` : '– | –');
  console.log('\n| start | median ms | range | CPU ms (median) | CPU range | target |\n|---|---:|---|---:|---|---|');
  console.log(`| floor: \`npm exec -- node -e 0\` | ${fmt(median(results.floor))} | ${range(results.floor)} | | | |`);
  console.log(`| \`npm start\`, fresh data folder | ${fmt(median(results.fresh))} | ${range(results.fresh)} | ${cpuCell(cpu.fresh)} | < 6,000 |`);
  console.log(`| \`npm start\`, existing data folder | ${fmt(median(results.existing))} | ${range(results.existing)} | ${cpuCell(cpu.existing)} | < 4,000 |`);
  console.log(`\nfirst start after install (cold compile cache, fresh folder): ${fmt(first.ms)} ms`);
  const file = await writeResults('startup', new Date().toISOString(), { options, machine: machine(), load1: load1(), first: first.ms, results, cpu });
  console.log(`raw runs: ${file}`);
});
