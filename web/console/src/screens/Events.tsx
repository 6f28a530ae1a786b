// The events service through the admin API: counts per topic and type, consumer lag, dead letters
// (replayed one by one or all at once, with a reason and a confirmation) and the latest events.
import { api } from '../api.ts';
import type { Confirmation } from '../components/ConfirmDialog.tsx';
import { when } from '../format.ts';
import { usePoll } from '../poll.ts';
import { Failure, Scroll } from './common.tsx';

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
          <Scroll label="Processed events per topic and type">
            <table>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Type</th>
                  <th scope="col">Events</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(data.stats.processed).flatMap(([topic, types]) =>
                  Object.entries(types).map(([type, count]) => (
                    <tr key={`${topic}/${type}`}>
                      <td>{topic}</td>
                      <td>{type}</td>
                      <td className="num">{count}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </Scroll>
          <p>
            {data.stats.total} events in all; {data.stats.duplicates_skipped} redeliveries skipped.
          </p>
          <h2>Consumer</h2>
          <Scroll label="Consumer partitions">
            <table>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Partition</th>
                  <th scope="col">Position</th>
                  <th scope="col">End</th>
                  <th scope="col">Lag</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {data.consumer.partitions.map((p) => (
                  <tr key={`${p.topic}/${p.partition}`}>
                    <td>{p.topic}</td>
                    <td className="num">{p.partition}</td>
                    <td className="num">{p.position ?? '—'}</td>
                    <td className="num">{p.end ?? '—'}</td>
                    <td className="num">{p.lag ?? '—'}</td>
                    <td>{p.stuck ? 'stuck' : p.retrying ? `retrying offset ${p.retrying.offset} (${p.retrying.attempts} attempts): ${p.retrying.error}` : 'ok'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <h2>Dead letters</h2>
          <p>
            {data.consumer.dead_letters.pending} pending, {data.consumer.dead_letters.replayed} replayed.
          </p>
          {data.deadLetters.length > 0 && (
            <>
              <button type="button" disabled={!canChange} onClick={() => replay({}, 'every pending dead letter')}>
                Replay all pending…
              </button>
              <Scroll label="Pending dead letters">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Topic</th>
                      <th scope="col">Key</th>
                      <th scope="col">Error</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">Failed at</th>
                      <th scope="col">Replay</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.deadLetters.map((d) => (
                      <tr key={d.id}>
                        <td className="num">{d.id}</td>
                        <td>{d.topic}</td>
                        <td>{d.key}</td>
                        <td>{d.error}</td>
                        <td className="num">{d.attempts}</td>
                        <td>{when(String(d.failed_at))}</td>
                        <td>
                          <button type="button" disabled={!canChange} onClick={() => replay({ id: d.id }, `dead letter #${d.id}`)} aria-label={`Replay dead letter ${d.id}`}>
                            Replay…
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            </>
          )}
          <h2>Latest events</h2>
          <Scroll label="Latest events">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Type</th>
                  <th scope="col">Key</th>
                  <th scope="col">Payload</th>
                </tr>
              </thead>
              <tbody>
                {data.recent.map((e) => (
                  <tr key={e.id}>
                    <td>{when(String(e.timestamp))}</td>
                    <td>{e.topic}</td>
                    <td>{e.type}</td>
                    <td>{e.key}</td>
                    <td>
                      <code className="payload">{JSON.stringify(e.payload)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        </>
      )}
    </section>
  );
}
