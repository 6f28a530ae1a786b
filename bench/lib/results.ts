import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Writes raw results to bench/results/<name>-<timestamp>.json (git-ignored); returns the path. */
export async function writeResults(name: string, date: string, data: unknown): Promise<string> {
  const folder = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(folder, { recursive: true });
  const file = `${folder}${name}-${date.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
  return file;
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';

/** Milliseconds: two decimals under 10 ms, one under 100, whole above. */
export const fmtMs = (n: number): string => (!Number.isFinite(n) ? '–' : fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0));

export function range(values: number[], digits = 0): string {
  if (values.length === 0) return '–';
  return `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
