import { runCannon } from './cannon.ts';
import { groupCpu, groupSnapshot, TICKS_PER_SECOND } from './cpu-groups.ts';
import { median } from './load.ts';
import { fmt, range } from './results.ts';

export interface Target {
  name: string;
  url: string;
  pid: number;
  /**
   * Starts the target anew (and stops the process before): given, every round measures a fresh
   * process, warmed up first. Two processes of the same code can differ by ±8 % for their whole
   * life (bench/README.md, "Tracing overhead"), a difference rounds of one process never average out.
   */
  restart?: () => Promise<Target>;
}

export interface InterleavedOptions {
  runs: number;
  duration: number;
  connections: number;
  warmup: number;
  /** The even load (req/s) at which each target's CPU per request is measured. */
  rate: number;
}

export interface Interleaved {
  /** Full-load throughput of each run, req/s, by target. */
  throughput: Map<string, number[]>;
  /** CPU time of the target's process per answer at the even rate, µs, by target. */
  cpuMicros: Map<string, number[]>;
  /** The same during the full-load runs, and the cores the target's process used there. */
  fullLoad: Map<string, { cpuMicros: number; cores: number }[]>;
  /** Median throughput and median CPU per request of a target (at the even rate, and at full load). */
  median(name: string): { throughput: number; cpuMicros: number; fullLoadCpuMicros: number; fullLoadCores: number };
  /** The results table (markdown). */
  table(): string;
}

/**
 * A target run by the process `start` makes; with `fresh`, a new one every round (stopping the
 * last), which `Target.restart` says why.
 */
export async function startTarget(
  start: () => Promise<{ name: string; url: string; pid: number; stop: () => Promise<void> }>,
  fresh: boolean,
): Promise<Target> {
  let child = await start();
  const restart = async (): Promise<Target> => {
    await child.stop();
    child = await start();
    return { name: child.name, url: child.url, pid: child.pid };
  };
  return { name: child.name, url: child.url, pid: child.pid, ...(fresh ? { restart } : {}) };
}

/**
 * Same path, same load on every target: a warm-up each, then `runs` rounds interleaved in a
 * rotating order (drift on a shared machine spreads over every target). Each round gives every
 * target a run at full load (throughput) and one at an even `rate`, over which its process's own
 * CPU time per answer is measured: on a small machine shared with the load generator the full-load
 * figure mostly says who got the cores, the CPU per request hardly moves. The rate is the same for
 * every target: at saturation the CPU per request shifts with how many answers each wake-up
 * batches, which would flatter whichever target is slower. The full-load runs' CPU per request and
 * cores tell a slower target that spends more per answer at saturation (its own work) from one
 * that got less of the cores (the scheduler). Any non-200 fails.
 */
export async function measureInterleaved(
  targets: Target[],
  path: string,
  options: InterleavedOptions,
  log: (message: string) => void,
  headers?: () => Record<string, string>,
): Promise<Interleaved> {
  const load = async (t: Target, rate: number | undefined, duration: number) => {
    const result = await runCannon({
      url: t.url,
      path: () => path,
      ...(headers ? { headers } : {}),
      connections: options.connections,
      duration,
      ...(rate ? { overallRate: rate } : {}),
    });
    if (result.notOk + result.errors + result.timeouts > 0)
      throw new Error(`${t.name}: ${result.notOk} non-200, ${result.errors} errors, ${result.timeouts} timeouts`);
    return result;
  };
  for (const t of targets) {
    log(`warm-up ${t.name}`);
    await load(t, undefined, options.warmup);
  }
  const throughput = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const cpuMicros = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const fullLoad = new Map<string, { cpuMicros: number; cores: number }[]>(targets.map((t) => [t.name, []]));
  const targetCores = async (t: Target, run: () => Promise<{ okPerSec: number }>) => {
    const before = groupSnapshot({ target: [t.pid] });
    const result = await run();
    const after = groupSnapshot({ target: [t.pid] });
    const cores = groupCpu(before, after)?.groups['target']; // rounded to 0.01, for the log
    // From the raw ticks: 0.01 core at 3,000 req/s would be a 3.3 µs step per request.
    const exact = before && after ? (after.ticks['target']! - before.ticks['target']!) / TICKS_PER_SECOND / ((after.at - before.at) / 1000) : undefined;
    return { result, cores, micros: exact === undefined ? undefined : (exact * 1e6) / result.okPerSec };
  };
  const current = new Map(targets.map((t) => [t.name, t]));
  for (let run = 1; run <= options.runs; run++) {
    const shift = run % targets.length;
    for (const first of [...targets.slice(shift), ...targets.slice(0, shift)]) {
      let t = current.get(first.name)!;
      if (run > 1 && first.restart) {
        t = { ...(await first.restart()), restart: first.restart };
        current.set(first.name, t);
        await load(t, undefined, options.warmup);
      }
      const full = await targetCores(t, () => load(t, undefined, options.duration));
      throughput.get(t.name)!.push(full.result.okPerSec);
      if (full.micros !== undefined) fullLoad.get(t.name)!.push({ cpuMicros: full.micros, cores: full.cores! });
      const paced = await targetCores(t, () => load(t, options.rate, options.duration));
      if (paced.micros !== undefined) cpuMicros.get(t.name)!.push(paced.micros);
      log(
        `run ${run} ${t.name}: ${fmt(full.result.okPerSec)} req/s (${full.cores ?? '–'} cores, ${full.micros?.toFixed(1) ?? '–'} µs CPU per request); ` +
          `at ${fmt(paced.result.okPerSec)} req/s ${paced.micros?.toFixed(1) ?? '–'} µs CPU per request`,
      );
    }
  }
  const medianOf = (name: string) => ({
    throughput: median(throughput.get(name)!),
    cpuMicros: median(cpuMicros.get(name)!),
    fullLoadCpuMicros: median(fullLoad.get(name)!.map((r) => r.cpuMicros)),
    fullLoadCores: median(fullLoad.get(name)!.map((r) => r.cores)),
  });
  return {
    throughput,
    cpuMicros,
    fullLoad,
    median: medianOf,
    table: () =>
      [
        `| target | median req/s | range | full load: cores, CPU µs per request (medians) | CPU µs per request at ${fmt(options.rate)} req/s (median) |`,
        '|---|---:|---|---:|---:|',
        ...targets.map((t) => {
          const m = medianOf(t.name);
          return `| ${t.name} | ${fmt(m.throughput)} | ${range(throughput.get(t.name)!)} | ${m.fullLoadCores.toFixed(2)}, ${m.fullLoadCpuMicros.toFixed(1)} | ${m.cpuMicros.toFixed(1)} |`;
        }),
      ].join('\n'),
  };
}
