// The CLI's tables: aligned columns, one row per line, for people (scripts use --json).
import type { Static } from 'typebox';
import type { DataStatus } from '@cinemaabyss/api';
import type { AuditEntry, RouteView, ShadowReport, WindowVerdict } from '../admin/schemas.ts';

type View = Static<typeof RouteView>;
type Entry = Static<typeof AuditEntry>;

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const pct = (rate: number | null | undefined) => (rate === null || rate === undefined ? '-' : `${(rate * 100).toFixed(1)}%`);
const yes = (flag: boolean) => (flag ? 'yes' : 'no');
const actor = (e: Entry) => (e.actor.kind === 'analysis' ? `${e.actor.label} (analysis)` : e.actor.label);

export interface StatusRow extends View {
  matchRate: number | null;
  lastChange: Entry | null;
}

export function statusTable(rows: StatusRow[]): string {
  if (rows.length === 0) return 'No route has a migration.';
  return table(
    ['ROUTE', 'STAGE', 'SPLIT', 'NEW %', 'PAUSED', 'KILLED', 'SHADOW', 'MATCH', 'LAST CHANGE'],
    rows.map(({ state: s, effectivePercent, matchRate, lastChange }) => [
      s.route,
      s.stage,
      `${s.from} -> ${s.to} (${s.mode}${s.enabled ? '' : ', disabled'})`,
      `${effectivePercent}%`,
      yes(s.paused),
      yes(s.killed),
      `${s.shadow.percent}%`,
      pct(matchRate),
      lastChange ? `${when(lastChange.at)} ${actor(lastChange)} ${lastChange.action}: ${lastChange.reason}` : '- (starting state)',
    ]),
  );
}

/** Leaves of an object as `a.b` → value (arrays kept whole). */
function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export function routeDetails(view: View): string {
  const fields: [string, string][] = [
    ...flatten(view.state).map(([key, value]): [string, string] => [key, show(value)]),
    ['effectivePercent', `${view.effectivePercent}`],
    ...Object.entries(view.breakers).map(([backend, state]): [string, string] => [`breaker.${backend}`, state]),
  ];
  return table(['FIELD', 'VALUE'], fields);
}

/** What a change changed: `field old -> new`, bookkeeping fields left out. */
export function changeSummary(e: Pick<Entry, 'old' | 'new'>): string {
  const before = new Map(flatten(e.old));
  const after = new Map(flatten(e.new));
  const keys = [...new Set([...after.keys(), ...before.keys()])].filter((key) => key !== 'version' && key !== 'updatedAt');
  const side = (fields: Map<string, unknown>, key: string) => (fields.has(key) ? show(fields.get(key)) : '-');
  return (
    keys
      .filter((key) => side(before, key) !== side(after, key))
      .map((key) => `${key} ${side(before, key)} -> ${side(after, key)}`)
      .join(', ') || '(no difference)'
  );
}

export function auditTable(entries: Entry[]): string {
  if (entries.length === 0) return 'No audit entries.';
  return table(
    ['ID', 'AT', 'ACTOR', 'ROUTE', 'ACTION', 'CHANGE', 'REASON'],
    entries.map((e) => [`${e.id}`, when(e.at), actor(e), e.route, e.action, changeSummary(e), e.reason]),
  );
}

export function shadowText(route: string, report: Static<typeof ShadowReport>): string {
  const out = [`Shadow comparison of ${route}: match rate ${pct(report.matchRate)}`, ''];
  out.push(
    report.endpoints.length === 0
      ? 'No request compared yet.'
      : table(
          ['ENDPOINT', 'COMPARED', 'MATCHED', 'MISMATCHED', 'NOISE', 'DROPPED', 'ERRORS', 'NOISY FIELDS'],
          report.endpoints.map((e) => [
            e.endpoint,
            `${e.compared}`,
            `${e.matched}`,
            `${e.mismatched}`,
            `${e.noise}`,
            `${e.dropped}`,
            `${e.errors}`,
            e.noisy.join(' ') || '-',
          ]),
        ),
  );
  if (report.mismatches.length > 0) out.push('', 'Latest mismatches:');
  for (const m of report.mismatches) {
    out.push(`  ${when(m.at)}  ${m.request.method} ${m.request.path}  ${m.primary.backend} ${m.primary.status} vs ${m.shadow.backend} ${m.shadow.status}`);
    for (const d of m.diff) out.push(`    ${d.pointer || '(whole body)'}: ${show(d.old)} -> ${show(d.new)}`);
  }
  return out.join('\n');
}

type Verdict = Static<typeof WindowVerdict>;

function check(v: Verdict, name: Verdict['checks'][number]['name']): string {
  const c = v.checks.find((x) => x.name === name);
  if (!c) return '-';
  const value = c.value === null ? '-' : Number.isInteger(c.value) ? `${c.value}` : c.value.toFixed(3);
  const bound = name === 'requests' ? 'min' : 'max';
  return `${value} (${bound} ${c.threshold})${c.ok === false ? ' FAIL' : ''}`;
}

export function analysisTable(route: string, verdicts: Verdict[]): string {
  if (verdicts.length === 0) return `No analysis window of ${route} yet.`;
  return table(
    ['WINDOW', 'VERDICT', 'REQUESTS', 'ERROR RATE', 'P99 RATIO', 'MISMATCH RATE'],
    verdicts.map((v) => [
      `${when(v.windowStart)} +${v.windowSeconds}s`,
      v.verdict,
      check(v, 'requests'),
      check(v, 'error_rate'),
      check(v, 'p99_ratio'),
      check(v, 'mismatch_rate'),
    ]),
  );
}

/** The data migration's status, for a person. */
export function dataText(s: DataStatus): string {
  const { backfill: b, capture: c, reconcile: r } = s;
  const lines = [
    `phase ${s.phase} (${s.name}); own database: ${s.store ?? 'none'}`,
    `  backfill: ${b.done ? 'done' : 'not done'}, ${b.copied} copied, checkpoint id ${b.cursor} of ${b.target ?? '?'}`,
    `  change capture: ${c.running ? 'running' : 'stopped'}, ${c.lagRecords ?? '?'} records behind, last change ${c.lastLagSeconds === null ? '–' : `${c.lastLagSeconds.toFixed(3)} s`} after its commit`,
    r
      ? `  reconcile (${r.at}, ${r.ms} ms): ${r.rows.monolith} vs ${r.rows.movies} rows, drift ${r.drift.total} (missing ${r.drift.missing}, extra ${r.drift.extra}, different ${r.drift.different}), repaired ${r.repaired}`
      : '  reconcile: not run yet',
    s.blockers === null ? '  final phase' : s.blockers.length === 0 ? '  next phase: nothing blocks it' : `  blocks the next phase: ${s.blockers.join('; ')}`,
  ];
  return lines.join('\n');
}
