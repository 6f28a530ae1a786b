// Live traffic per route and backend (refreshed every second), the migrations at a glance and the
// breakers of every backend.
import { api } from '../api.ts';
import { Sparkline } from '../components/Sparkline.tsx';
import { ms, pct, rps } from '../format.ts';
import { usePoll } from '../poll.ts';
import { Failure, Table } from './common.tsx';

export function Traffic() {
  const traffic = usePoll(api.traffic, 1000);
  const routes = usePoll(api.routes, 2000);
  const minutes = traffic.data ? Math.round((300 * traffic.data.intervalMs) / 60_000) : 5;
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
      <Table label="Traffic per route and backend" columns={['Route', 'Backend', 'Requests/s', 'p50', 'p99', 'Errors', 'Requests/s, last minutes', 'p99, last minutes']}>
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
