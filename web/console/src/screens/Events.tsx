// The events service through the admin API: counts per topic and type, consumer lag, dead letters
// (replayed one by one or all at once, with a reason and a confirmation) and the latest events.
import { api, type EventsView } from '../api.ts';
import type { Confirmation } from '../components/ConfirmDialog.tsx';
import { when } from '../format.ts';
import { usePoll } from '../poll.ts';
import { Failure, Table } from './common.tsx';

type Partition = EventsView['consumer']['partitions'][number];

/** Partitions grouped by topic, topics in name order. */
const byTopic = (partitions: Partition[]): [string, Partition[]][] => {
  const topics = new Map<string, Partition[]>();
  for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
  return [...topics].sort(([a], [b]) => a.localeCompare(b));
};

/** A payload at a glance: the start of its JSON. */
const clip = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max)}…` : text);

interface Props {
  canChange: boolean;
  confirm(request: Confirmation): void;
  changed: number;
}

export function Events({ canChange, confirm, changed }: Props) {
  const events = usePoll(api.events, 2000, [changed]);
  const data = events.data;
  const replay = (target: { id?: number }, what: string) =>
    confirm({
      title: `Replay ${what}`,
      summary: <p>The original record{target.id === undefined ? 's go' : ' goes'} back to its topic and is marked replayed.</p>,
      confirmLabel: 'Replay',
      run: async (reason) => {
        const { replayed } = await api.replay(target, reason);
        return `${replayed.length} dead letter${replayed.length === 1 ? '' : 's'} replayed`;
      },
    });
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <Failure error={events.error} />
      {data && (
        <>
          <h2>Processed events per topic and type</h2>
          <Table label="Processed events per topic and type" columns={['Topic', 'Type', 'Events']}>
            {Object.entries(data.stats.processed).flatMap(([topic, types]) =>
              Object.entries(types).map(([type, count]) => (
                <tr key={`${topic}/${type}`}>
                  <td>{topic}</td>
                  <td>{type}</td>
                  <td className="num">{count}</td>
                </tr>
              )),
            )}
          </Table>
          <p>
            {data.stats.total} events in all; {data.stats.duplicates_skipped} redeliveries skipped.
          </p>
          <h2>Consumer</h2>
          <Table label="Consumer lag per topic" columns={['Topic', 'Partitions', 'Lag', 'State']}>
            {byTopic(data.consumer.partitions).map(([topic, partitions]) => (
              <tr key={topic}>
                <th scope="row">{topic}</th>
                <td className="num">{partitions.length}</td>
                <td className="num">{partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0)}</td>
                <td>
                  {partitions
                    .filter((p) => p.stuck || p.retrying)
                    .map(
                      (p) =>
                        `partition ${p.partition} ${p.stuck ? 'stuck' : 'retrying'} at offset ${p.retrying?.offset ?? p.position ?? '?'}${p.retrying ? ` (${p.retrying.attempts} attempts: ${p.retrying.error})` : ''}`,
                    )
                    .join('; ') || 'ok'}
                </td>
              </tr>
            ))}
          </Table>
          <h2>Dead letters</h2>
          <p>
            {data.consumer.dead_letters.pending} pending, {data.consumer.dead_letters.replayed} replayed.
          </p>
          {data.deadLetters.length > 0 && (
            <>
              <button type="button" disabled={!canChange} onClick={() => replay({}, 'every pending dead letter')}>
                Replay all pending…
              </button>
              <Table label="Pending dead letters" columns={['#', 'Topic', 'Key', 'Error', 'Attempts', 'Failed at', 'Replay']}>
                {data.deadLetters.map((d) => (
                  <tr key={d.id}>
                    <td className="num">{d.id}</td>
                    <td>{d.topic}</td>
                    <td>{d.key}</td>
                    <td>{d.error}</td>
                    <td className="num">{d.attempts}</td>
                    <td>{when(String(d.failed_at))}</td>
                    <td>
                      <button
                        type="button"
                        disabled={!canChange}
                        onClick={() => replay({ id: d.id }, `dead letter #${d.id}`)}
                        aria-label={`Replay dead letter ${d.id}`}
                      >
                        Replay…
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
            </>
          )}
          <h2>Latest events</h2>
          <Table label="Latest events" columns={['When', 'Topic', 'Type', 'Key', 'Payload']}>
            {data.recent.map((e) => (
              <tr key={e.id}>
                <td>{when(String(e.timestamp))}</td>
                <td>{e.topic}</td>
                <td>{e.type}</td>
                <td>{e.key}</td>
                <td>
                  <code className="payload">{clip(JSON.stringify(e.payload))}</code>
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  );
}
