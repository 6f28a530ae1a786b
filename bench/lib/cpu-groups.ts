import { readFileSync, readdirSync } from 'node:fs';
import { machineBusy, processTicks } from './cpu.ts';

// Where the CPU went during a run, by named group of processes (service, proxy workers, broker,
// database backends), plus this process (the load generator) and everything else ("other").
// Linux /proc only; elsewhere the figures are absent.

export const TICKS_PER_SECOND = 100; // USER_HZ

/**
 * Processes by group: their pids, or `{ command }` for every process of that name at each end of
 * the window (a database server's backends come and go with connections: one born during the
 * window counts in full).
 */
export type PidGroups = Record<string, number[] | { command: string }>;

export interface GroupSnapshot {
  at: number;
  busy: number;
  self: number;
  ticks: Record<string, number>;
  /** The `{ command }` groups' ticks, by pid. */
  byPid: Record<string, Map<number, number>>;
}

/** Cores in use on average, per group; `loadGenerator` is this process, `other` the rest of the machine. */
export interface GroupCpu {
  machine: number;
  loadGenerator: number;
  other: number;
  groups: Record<string, number>;
}

export function groupSnapshot(groups: PidGroups): GroupSnapshot | undefined {
  try {
    const ticks: Record<string, number> = {};
    const byPid: Record<string, Map<number, number>> = {};
    const all = Object.values(groups).some((g) => !Array.isArray(g)) ? allTicks() : undefined;
    for (const [name, group] of Object.entries(groups)) {
      if (Array.isArray(group)) ticks[name] = group.reduce((sum, pid) => sum + processTicks(pid), 0);
      else byPid[name] = new Map([...all!].filter(([, p]) => p.name === group.command).map(([pid, p]) => [pid, p.ticks]));
    }
    return { at: performance.now(), busy: machineBusy(), self: processTicks(process.pid), ticks, byPid };
  } catch {
    return undefined;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

export function groupCpu(before: GroupSnapshot | undefined, after: GroupSnapshot | undefined): GroupCpu | undefined {
  if (!before || !after) return undefined;
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => round(ticks / TICKS_PER_SECOND / seconds);
  const groups: Record<string, number> = {};
  for (const name of Object.keys(after.ticks)) groups[name] = cores(Math.max(0, after.ticks[name]! - (before.ticks[name] ?? 0)));
  for (const [name, pids] of Object.entries(after.byPid)) {
    let ticks = 0;
    for (const [pid, now] of pids) ticks += Math.max(0, now - (before.byPid[name]?.get(pid) ?? 0));
    groups[name] = cores(ticks);
  }
  const machine = cores(after.busy - before.busy);
  const loadGenerator = cores(after.self - before.self);
  const known = loadGenerator + Object.values(groups).reduce((a, b) => a + b, 0);
  return { machine, loadGenerator, other: Math.max(0, round(machine - known)), groups };
}

/** Measures a promise-returning step and attributes the CPU it took to the groups. */
export async function withCpu<T>(groups: () => PidGroups, step: () => Promise<T>): Promise<{ value: T; cpu: GroupCpu | undefined }> {
  const pids = groups();
  const before = groupSnapshot(pids);
  const value = await step();
  return { value, cpu: groupCpu(before, groupSnapshot(pids)) };
}

interface ProcStat {
  pid: number;
  name: string;
  /** The fields after the command name: state, ppid, … (see proc(5); index 1 is the parent). */
  fields: string[];
}

/** Every process's /proc/<pid>/stat, parsed; processes that end meanwhile are skipped. */
export function procStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      out.push({ pid: Number(entry), name: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU time (ms) the processes of group `pgid` have used so far, the children they have waited for
 * included (`npm start`'s prestart step); undefined off Linux or when the group has ended.
 */
export function processGroupCpuMs(pgid: number): number | undefined {
  const members = procStats().filter((p) => Number(p.fields[2]) === pgid);
  if (members.length === 0) return undefined;
  // utime, stime, cutime, cstime: fields 14–17 of proc(5).
  const ticks = members.reduce((sum, p) => sum + [11, 12, 13, 14].reduce((own, i) => own + Number(p.fields[i]), 0), 0);
  return (ticks / TICKS_PER_SECOND) * 1000;
}

/** Direct children of `pid` (e.g. nginx workers of their master), from /proc. */
export function childPids(pid: number): number[] {
  return procStats()
    .filter((p) => Number(p.fields[1]) === pid)
    .map((p) => p.pid);
}

/** Resident set size of a process in bytes (VmRSS), or undefined when it has ended. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface QuietReport {
  /** Cores busy outside the given processes and this one, in the last window measured. */
  other: number;
  waitedSeconds: number;
  quiet: boolean;
  /** The busiest processes of the last window when it was not quiet: "name(pid) cores". */
  busiest?: string[];
}

/** utime+stime ticks and command name of every process, from /proc. */
function allTicks(): Map<number, { ticks: number; name: string }> {
  return new Map(procStats().map((p) => [p.pid, { ticks: Number(p.fields[11]) + Number(p.fields[12]), name: p.name }]));
}

function busiest(before: Map<number, { ticks: number; name: string }>, seconds: number, exclude: Set<number>): string[] {
  const after = allTicks();
  const rows: { label: string; cores: number }[] = [];
  for (const [pid, now] of after) {
    if (exclude.has(pid)) continue;
    const delta = now.ticks - (before.get(pid)?.ticks ?? now.ticks);
    if (delta > 0) rows.push({ label: `${now.name}(${pid})`, cores: round(delta / TICKS_PER_SECOND / seconds) });
  }
  return rows
    .sort((a, b) => b.cores - a.cores)
    .slice(0, 4)
    .map((r) => `${r.label} ${r.cores}`);
}

/**
 * Waits (up to `maxWaitSeconds`) for a window of `windowSeconds` in which the machine, minus the
 * benchmark's own idle processes, uses less than `threshold` cores: other sessions on this 2-core
 * machine would distort the figures. Never fails: it reports what it found.
 */
export async function waitForQuiet(
  groups: () => PidGroups,
  { threshold = 0.25, windowSeconds = 3, maxWaitSeconds = 120, log = (_: string) => {} } = {},
): Promise<QuietReport> {
  const started = performance.now();
  let other = Number.NaN;
  for (;;) {
    const pids = groups();
    const before = groupSnapshot(pids);
    const every = allTicks();
    await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
    const cpu = groupCpu(before, groupSnapshot(pids));
    if (!cpu) return { other: Number.NaN, waitedSeconds: 0, quiet: true };
    other = round(cpu.other + cpu.loadGenerator);
    const waitedSeconds = Math.round((performance.now() - started) / 1000);
    if (other < threshold) return { other, waitedSeconds, quiet: true };
    const top = busiest(every, windowSeconds, new Set([process.pid, ...Object.values(pids).flatMap((g) => (Array.isArray(g) ? g : []))]));
    if (waitedSeconds >= maxWaitSeconds) {
      log(`machine not quiet after ${waitedSeconds} s (other work uses ${other} cores: ${top.join(', ')}); going ahead`);
      return { other, waitedSeconds, quiet: false, busiest: top };
    }
    log(`waiting for a quiet machine: other work uses ${other} cores (${top.join(', ')})`);
  }
}
