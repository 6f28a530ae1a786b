// Live traffic per route and backend (refreshed every second), the migrations at a glance and the
// breakers of every backend.
import { useRef } from 'react';
import { api, type TrafficView } from '../api.ts';
import { Sparkline } from '../components/Sparkline.tsx';
import { ms, pct, rps } from '../format.ts';
import { usePoll } from '../poll.ts';
import { Failure, Table } from './common.tsx';

type Series = TrafficView['series'][number];

/**
 * The traffic history, fetched once and then only its new points each second (`since` the newest
 * point held), kept to the gateway's own length.
 */
function useTraffic() {
  const history = useRef(new Map<string, Series>());
  const newest = useRef<string | undefined>(undefined);
  return usePoll(async () => {
    const view = await api.traffic(newest.current);
    for (const s of view.series) {
      const key = `${s.route}\u0000${s.backend}`;
      const points = [...(history.current.get(key)?.points ?? []), ...s.points].slice(-view.keep);
      history.current.set(key, { ...s, points });
      const at = s.points.at(-1)?.at;
      if (at && (!newest.current || at > newest.current)) newest.current = at;
    }
    return { ...view, series: [...history.current.values()] };
  }, 1000);
}

export function Traffic() {
  const traffic = useTraffic();
  const routes = usePoll(api.routes, 2000);
  const minutes = traffic.data ? Math.round((traffic.data.keep * traffic.data.intervalMs) / 60_000) : 5;
  return (
    <section aria-labelledby="traffic-title">
      <h1 id="traffic-title">Live traffic</h1>
      <Failure error={traffic.error ?? routes.error} />
      <h2>Migrations</h2>
      <Table label="Migrations" columns={['Route', 'Stage', 'To new backend', 'State']}>
        {routes.data?.map(({ state, effectivePercent }) => (
          <tr key={state.route}>
            <th scope="row">{state.route}</th>
            <td>{state.stage}</td>
            <td data-testid={`effective-${state.route}`}>
              {effectivePercent} % to {state.to}
            </td>
            <td>{[state.enabled ? 'enabled' : 'disabled', state.paused && 'paused', state.killed && 'killed'].filter(Boolean).join(', ')}</td>
          </tr>
        ))}
      </Table>
      <h2>Backends</h2>
      <ul className="backends">
        {traffic.data?.backends.map((b) => (
          <li key={b.name} data-testid={`breaker-${b.name}`}>
            <strong>{b.name}</strong> <span className={`badge breaker-${b.breaker}`}>breaker {b.breaker}</span>{' '}
            <span className="muted">
              {b.active} active, {b.pending} waiting
            </span>
          </li>
        ))}
      </ul>
      <h2>Per route and backend (last {minutes} minutes)</h2>
      <Table
        label="Traffic per route and backend"
        columns={['Route', 'Backend', 'Requests/s', 'p50', 'p99', 'Errors', 'Requests/s, last minutes', 'p99, last minutes']}
      >
        {traffic.data?.series.map((s) => {
          const last = s.points.at(-1);
          const name = `${s.route} on ${s.backend}`;
          return (
            <tr key={`${s.route}/${s.backend}`} data-testid={`traffic-${s.route}-${s.backend}`}>
              <th scope="row">{s.route}</th>
              <td>{s.backend}</td>
              <td className="num">{rps(last?.rps)}</td>
              <td className="num">{ms(last?.p50Ms)}</td>
              <td className="num">{ms(last?.p99Ms)}</td>
              <td className="num">{pct(last?.errorRate)}</td>
              <td>
                <Sparkline values={s.points.map((p) => p.rps)} label={`requests per second of ${name}, now ${rps(last?.rps)}`} />
              </td>
              <td>
                <Sparkline values={s.points.map((p) => p.p99Ms)} label={`p99 latency of ${name}, now ${ms(last?.p99Ms)}`} />
              </td>
            </tr>
          );
        })}
      </Table>
      {traffic.data && traffic.data.series.length === 0 && <p>No request has gone through the gateway yet.</p>}
    </section>
  );
}
