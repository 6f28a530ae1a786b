import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Backend, BenchOptions, ScenarioName } from './args.ts';
import { median, type RunResult } from './load.ts';

export interface ScenarioResult {
  backend: Backend;
  scenario: ScenarioName;
  runs: RunResult[];
  /** Median across runs of each figure separately. */
  median: { requestsPerSec: number; p50: number; p99: number; bytesPerSec: number };
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
  results: ScenarioResult[];
}

export function summarize(backend: Backend, scenario: ScenarioName, runs: RunResult[]): ScenarioResult {
  const of = (pick: (r: RunResult) => number) => median(runs.map(pick));
  return {
    backend,
    scenario,
    runs,
    median: {
      requestsPerSec: of((r) => r.requestsPerSec),
      p50: of((r) => r.p50),
      p99: of((r) => r.p99),
      bytesPerSec: of((r) => r.bytesPerSec),
    },
  };
}

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

const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
const mb = (bytes: number) => `${num(bytes / 1e6, 2)} MB`;

/** Medians per backend and scenario, then the PGlite/PostgreSQL ratio when both ran. */
export function markdown(report: BenchReport): string {
  const { options } = report;
  const lines = [
    `Movies API, ${report.date.slice(0, 10)}: ${options.movies.toLocaleString('en-US')} movies, ` +
      `${options.connections} connections, ${options.runs} runs × ${options.duration} s per scenario (medians).`,
    '',
    '| Backend | Endpoint | req/s | p50 ms | p99 ms | req/s range (runs) | response | transfer |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const rates = r.runs.map((x) => x.requestsPerSec);
    const range = `${num(Math.min(...rates), 1)}–${num(Math.max(...rates), 1)}`;
    const size = r.responseBytes === undefined ? '' : mb(r.responseBytes);
    lines.push(
      `| ${names[r.backend]} | \`${paths[r.scenario]}\` | ${num(r.median.requestsPerSec, 1)} | ` +
        `${num(r.median.p50)} | ${num(r.median.p99)} | ${range} | ${size} | ${mb(r.median.bytesPerSec)}/s |`,
    );
  }
  const ratios = options.scenarios.flatMap((scenario) => {
    const find = (b: Backend) => report.results.find((r) => r.backend === b && r.scenario === scenario);
    const [lite, pg] = [find('pglite'), find('postgres')];
    if (!lite || !pg) return [];
    const rps = lite.median.requestsPerSec / pg.median.requestsPerSec;
    const p99 = lite.median.p99 / pg.median.p99;
    return [`| \`${paths[scenario]}\` | ${num(rps, 2)}× | ${num(p99, 2)}× |`];
  });
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
