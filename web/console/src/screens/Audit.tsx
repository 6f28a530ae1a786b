// The audit history: who (a person's token label or the analysis), when, what moved from what to
// what, and why; newest first, with older pages on demand.
import { useState } from 'react';
import { api, type AuditEntry } from '../api.ts';
import { when } from '../format.ts';
import { usePoll } from '../poll.ts';
import { Failure, Table } from './common.tsx';

/** The fields an entry changed, `field: old → new`. */
export function changesOf(entry: AuditEntry): string[] {
  const old = entry.old as Record<string, unknown>;
  const next = entry.new as Record<string, unknown>;
  return Object.keys(next)
    .filter((k) => k !== 'version' && k !== 'updatedAt' && JSON.stringify(old[k]) !== JSON.stringify(next[k]))
    .map((k) => `${k}: ${JSON.stringify(old[k]) ?? '(none)'} → ${JSON.stringify(next[k]) ?? '(none)'}`);
}

export function AuditTable({ entries, caption }: { entries: AuditEntry[]; caption: string }) {
  return (
    <Table label={caption} caption={caption} columns={['#', 'When', 'Who', 'Route', 'Action', 'From → to', 'Why']}>
      {entries.map((e) => (
        <tr key={e.id}>
          <td className="num">{e.id}</td>
          <td>{when(e.at)}</td>
          <td>{e.actor.kind === 'analysis' ? 'analysis (automatic)' : e.actor.label}</td>
          <td>{e.route}</td>
          <td>{e.action}</td>
          <td>
            <ul className="plain">
              {changesOf(e).map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </td>
          <td>{e.reason}</td>
        </tr>
      ))}
    </Table>
  );
}

export function Audit({ changed }: { changed: number }) {
  const [route, setRoute] = useState('');
  const latest = usePoll(() => api.audit({ route, limit: 50 }), 5000, [route, changed]);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [olderError, setOlderError] = useState<string>();
  const entries = [...(latest.data ?? []), ...older.filter((o) => !latest.data?.some((l) => l.id === o.id))];
  const loadOlder = async () => {
    try {
      const page = await api.audit({ route, limit: 50, before: entries.at(-1)?.id });
      setOlder((o) => [...o, ...page]);
      setOlderError(page.length === 0 ? 'No older entry.' : undefined);
    } catch (e) {
      setOlderError(String((e as Error).message));
    }
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit history</h1>
      <Failure error={latest.error} />
      <label htmlFor="audit-route">Route (empty: all)</label>{' '}
      <input
        id="audit-route"
        value={route}
        pattern="[a-z0-9_-]*"
        onChange={(e) => {
          setRoute(e.target.value.trim());
          setOlder([]);
        }}
      />
      <AuditTable entries={entries} caption="Changes, newest first" />
      {entries.length > 0 && (
        <button type="button" onClick={loadOlder}>
          Older entries
        </button>
      )}
      {olderError && <p role="status">{olderError}</p>}
    </section>
  );
}
