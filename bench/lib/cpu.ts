import { readFileSync } from 'node:fs';

// Where the CPU went during a run, from Linux /proc (elsewhere the figures are absent). On a small
// shared machine other work can take a core away from the service; this makes that visible in the
// results instead of leaving a mysteriously slow run.

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every mainstream Linux architecture

export interface CpuSnapshot {
  at: number;
  /** Busy ticks of the whole machine (all cores). */
  busy: number;
  /** utime+stime ticks of this process and each watched process. */
  self: number;
  watched: Map<number, number>;
}

/** Cores in use on average during a run, by whom. */
export interface CpuUse {
  machine: number;
  /** This process: the load generator. */
  loadGenerator: number;
  /** The movies service process (PGlite runs inside it). */
  service: number;
  /** PostgreSQL server processes serving the service's connections (0 for PGlite). */
  database: number;
  /** Everything else: other work on the machine. */
  other: number;
}

export function machineBusy(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return fields.reduce((a, b) => a + b, 0) - idle;
}

export function processTicks(pid: number): number {
  try {
    // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0; // the process has ended; its ticks are lost, which only understates its share
  }
}

export function cpuSnapshot(pids: { service: number; database: number[] }): CpuSnapshot | undefined {
  try {
    const watched = new Map<number, number>();
    for (const pid of [pids.service, ...pids.database]) watched.set(pid, processTicks(pid));
    return { at: performance.now(), busy: machineBusy(), self: processTicks(process.pid), watched };
  } catch {
    return undefined; // not Linux
  }
}

type Snapshot = CpuSnapshot | undefined;

export function cpuUse(before: Snapshot, after: Snapshot, service: number): CpuUse | undefined {
  if (!before || !after) return undefined;
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) / 100;
  let serviceTicks = 0;
  let databaseTicks = 0;
  for (const [pid, ticks] of after.watched) {
    const delta = ticks - (before.watched.get(pid) ?? ticks);
    if (pid === service) serviceTicks += delta;
    else databaseTicks += delta;
  }
  const machine = cores(after.busy - before.busy);
  const loadGenerator = cores(after.self - before.self);
  const use = { machine, loadGenerator, service: cores(serviceTicks), database: cores(databaseTicks) };
  const other = Math.max(0, Math.round((machine - use.loadGenerator - use.service - use.database) * 100) / 100);
  return { ...use, other };
}
