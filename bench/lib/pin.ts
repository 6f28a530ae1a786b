import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { procStats } from './cpu-groups.ts';

// Core pinning for benchmarks that stand in for a deployment where two sides do not share
// machines (the monolith and its database; the movies service and its own): on one host, each
// side gets cores of its own through taskset (Linux, util-linux). Children inherit the pinning,
// so a database server's backends born later land on its cores too.

/** Pins a process and all its threads to the given cores. */
export function pin(pid: number, cores: readonly number[]): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores.join(','), String(pid)], { stdio: 'ignore' });
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return []; // gone meanwhile
  }
};

/** The PostgreSQL server listening on `port` (its postmaster, found by `-p <port>` on its command line) and its children. */
export function postgresServer(port: number): number[] {
  const processes = procStats();
  const postmaster = processes.find(({ pid }) => {
    const args = commandLine(pid);
    const at = args.indexOf('-p');
    return /postgres$/.test(args[0] ?? '') && at >= 0 && args[at + 1] === String(port);
  })?.pid;
  if (postmaster === undefined) throw new Error(`no PostgreSQL server started with -p ${port} on this host (pinning needs a local server)`);
  // The fields after the command name: state, then the parent's pid.
  const children = processes.filter((p) => p.fields[1] === String(postmaster)).map((p) => p.pid);
  return [postmaster, ...children];
}

/** Pins a local PostgreSQL server (postmaster and every backend) to the given cores. */
export function pinPostgres(url: string, cores: readonly number[]): void {
  for (const pid of postgresServer(Number(new URL(url).port || 5432))) pin(pid, cores);
}

/** Two disjoint halves of this machine's cores (the first gets the extra one when odd). */
export function splitCores(): [number[], number[]] {
  // All the machine's cores, not this process's affinity (which pinning narrows).
  const n = cpus().length;
  if (n < 2) throw new Error('pinning needs at least 2 cores');
  const all = Array.from({ length: n }, (_, i) => i);
  const half = Math.ceil(n / 2);
  return [all.slice(0, half), all.slice(half)];
}
