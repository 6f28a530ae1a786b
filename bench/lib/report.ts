import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Backend, BenchOptions, ScenarioName } from './args.ts';
import type { CpuUse } from './cpu.ts';
import { median, type RunResult } from './load.ts';

export interface ScenarioResult {
  backend: Backend;
  scenario: ScenarioName;
  runs: RunResult[];
  /** Median across runs of each figure separately. */
  median: { requestsPerSec: number; p50: number; p99: number; bytesPerSec: number; cpu?: CpuUse | undefined };
  /** Body of one answer (the `list` scenario); undefined elsewhere. */
  responseBytes?: number | undefined;
}

export interface BenchReport {
  date: string;
  command: string;
  machine: { cores: number; cpu: string; node: string; platform: string };
  databases: Partial<Record<Backend, string>>;
  options: BenchOptions;
  elapsedSeconds: number;
  /** 1-minute load average at start and end: other work on the machine skews the figures. */
  loadAverage: { start: number; end?: number };
  results: ScenarioResult[];
}

export function summarize(backend: Backend, scenario: ScenarioName, runs: RunResult[]): ScenarioResult {
  const of = (pick: (r: RunResult) => number) => median(runs.map(pick));
  const cpus = runs.flatMap((r) => (r.cpu ? [r.cpu] : []));
  const cpuOf = (pick: (c: CpuUse) => number) => median(cpus.map(pick));
  const cpu: CpuUse | undefined =
    cpus.length === 0
      ? undefined
      : {
          machine: cpuOf((c) => c.machine),
          loadGenerator: cpuOf((c) => c.loadGenerator),
          service: cpuOf((c) => c.service),
          database: cpuOf((c) => c.database),
          other: cpuOf((c) => c.other),
        };
  return {
    backend,
    scenario,
    runs,
    median: {
      requestsPerSec: of((r) => r.requestsPerSec),
      p50: of((r) => r.p50),
      p99: of((r) => r.p99),
      bytesPerSec: of((r) => r.bytesPerSec),
      cpu,
    },
  };
}

export const load1 = (): number => Math.round(loadavg()[0]! * 100) / 100;

export function machine(): BenchReport['machine'] {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const paths: Record<ScenarioName, string> = {
  list: 'GET /api/movies',
  'by-id': 'GET /api/movies?id=N',
  health: 'GET /api/movies/health',
};
const names: Record<Backend, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const mb = (bytes: number) => `${num(bytes / 1e6, 2)} MB`;
// autocannon records latency in whole milliseconds.
const ms = (n: number) => (n === 0 ? '<1' : num(n));
// A ratio of two "<1 ms" latencies (0 / 0, 0 / 4) says nothing.
const ratio = (a: number, b: number) => (a > 0 && b > 0 ? `${num(a / b, 2)}×` : '–');
const cores = (c: CpuUse | undefined) => (c ? [c.service, c.database, c.loadGenerator, c.other].map((n) => num(n, 2)).join(' / ') : '–');

/** One line of progress: what a single run measured. */
export function describeRun(r: RunResult): string {
  const rate = `${r.requestsPerSec.toFixed(1)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`;
  if (!r.cpu) return rate;
  const { service, database, loadGenerator, other } = r.cpu;
  return `${rate}; cores: service ${service}, db ${database}, load generator ${loadGenerator}, other ${other}`;
}

/** Medians per backend and scenario, then the PGlite/PostgreSQL ratio when both ran. */
export function markdown(report: BenchReport): string {
  const { options } = report;
  const lines = [
    `Movies API, ${report.date.slice(0, 10)}: ${options.movies.toLocaleString('en-US')} movies, ` +
      `${options.connections} connections, ${options.runs} runs × ${options.duration} s per scenario (medians).`,
    '',
    '| Backend | Endpoint | req/s | p50 ms | p99 ms | req/s range (runs) | response | transfer ' + '| cores: service / db / load gen. / other |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const rates = r.runs.map((x) => x.requestsPerSec);
    const range = `${num(Math.min(...rates), 1)}–${num(Math.max(...rates), 1)}`;
    const size = r.responseBytes === undefined ? '' : mb(r.responseBytes);
    lines.push(
      `| ${names[r.backend]} | \`${paths[r.scenario]}\` | ${num(r.median.requestsPerSec, 1)} | ` +
        `${ms(r.median.p50)} | ${ms(r.median.p99)} | ${range} | ${size} | ${mb(r.median.bytesPerSec)}/s | ` +
        `${cores(r.median.cpu)} |`,
    );
  }
  const ratios = options.scenarios.flatMap((scenario) => {
    const find = (b: Backend) => report.results.find((r) => r.backend === b && r.scenario === scenario);
    const [lite, pg] = [find('pglite'), find('postgres')];
    if (!lite || !pg) return [];
    const rps = ratio(lite.median.requestsPerSec, pg.median.requestsPerSec);
    return [`| \`${paths[scenario]}\` | ${rps} | ${ratio(lite.median.p99, pg.median.p99)} |`];
  });
  const disturbed = report.results.filter((r) => (r.median.cpu?.other ?? 0) > 0.25);
  if (disturbed.length > 0) {
    const which = disturbed.map((r) => `${names[r.backend]} ${r.scenario} (${num(r.median.cpu!.other, 2)})`);
    lines.push('', `**Warning:** other work on the machine used > 0.25 cores during ${which.join(', ')}.`);
  }
  if (ratios.length > 0) {
    lines.push('', '| Endpoint | PGlite / PostgreSQL req/s | PGlite / PostgreSQL p99 |', '|---|---:|---:|', ...ratios);
  }
  return lines.join('\n');
}

/** Writes the raw runs to bench/results/movies-<timestamp>.json (git-ignored); returns the path. */
export async function writeJson(report: BenchReport): Promise<string> {
  const folder = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(folder, { recursive: true });
  const file = `${folder}movies-${report.date.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
