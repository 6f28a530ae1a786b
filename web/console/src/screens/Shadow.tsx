// Shadow comparison (match rate per endpoint, the latest mismatches side by side) and the analysis
// (its windows, and the rollbacks it made with their reasons), per migrated route.
import { useState } from 'react';
import { api, type ShadowReport } from '../api.ts';
import { json, pct, when } from '../format.ts';
import { usePoll } from '../poll.ts';
import { AuditTable } from './Audit.tsx';
import { Failure, Table } from './common.tsx';

export function Shadow() {
  const routes = usePoll(api.routes, 5000);
  const [chosen, setChosen] = useState<string>();
  const route = chosen ?? routes.data?.[0]?.state.route;
  return (
    <section aria-labelledby="shadow-title">
      <h1 id="shadow-title">Shadow comparison and analysis</h1>
      <Failure error={routes.error} />
      <label htmlFor="shadow-route">Route</label>{' '}
      <select id="shadow-route" value={route ?? ''} onChange={(e) => setChosen(e.target.value)}>
        {routes.data?.map((r) => (
          <option key={r.state.route}>{r.state.route}</option>
        ))}
      </select>
      {route && <RouteComparison route={route} />}
    </section>
  );
}

function RouteComparison({ route }: { route: string }) {
  const shadow = usePoll(() => api.shadow(route), 2000, [route]);
  const analysis = usePoll(() => api.analysis(route), 5000, [route]);
  const rollbacks = usePoll(() => api.audit({ route, limit: 200 }).then((entries) => entries.filter((e) => e.actor.kind === 'analysis')), 5000, [route]);
  return (
    <>
      <h2>Shadow comparison</h2>
      <Failure error={shadow.error} />
      <p>
        Match rate: <strong data-testid="match-rate">{pct(shadow.data?.matchRate)}</strong>
      </p>
      {shadow.data && <Endpoints report={shadow.data} />}
      <h3>Latest mismatches</h3>
      {shadow.data?.mismatches.length === 0 && <p>No mismatch.</p>}
      {shadow.data?.mismatches.slice(0, 5).map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a mismatch has no id, and the list is replaced whole on every read
        <article key={`${m.at}-${i}`} className="mismatch" aria-label={`Mismatch on ${m.request.method} ${m.request.path}`}>
          <h4>
            {m.request.method} {m.request.path} <span className="muted">{when(m.at)}</span>
          </h4>
          <Table
            label={`Differences of ${m.request.method} ${m.request.path}`}
            className="diff"
            columns={['Where (JSON pointer)', `${m.primary.backend} (served, ${m.primary.status})`, `${m.shadow.backend} (shadow, ${m.shadow.status})`]}
          >
            {m.diff.map((d) => (
              <tr key={d.pointer}>
                <th scope="row">
                  <code>{d.pointer === '' ? '(whole body)' : d.pointer}</code>
                </th>
                <td className="old">
                  <code>{json(d.old)}</code>
                </td>
                <td className="new">
                  <code>{json(d.new)}</code>
                </td>
              </tr>
            ))}
          </Table>
        </article>
      ))}
      <h2>Analysis windows</h2>
      <Failure error={analysis.error} />
      {analysis.data?.length === 0 && <p>No window judged yet (analysis off, or no window closed).</p>}
      {analysis.data && analysis.data.length > 0 && (
        <Table label="Analysis windows" columns={['Window', 'Verdict', 'Checks (value / threshold)', 'Requests per backend']}>
          {analysis.data.map((w) => (
            <tr key={w.windowStart}>
              <td>
                {when(w.windowStart)} ({w.windowSeconds} s)
              </td>
              <td>
                <span className={`badge verdict-${w.verdict}`}>{w.verdict}</span>
              </td>
              <td>
                <ul className="plain">
                  {w.checks.map((c) => (
                    <li key={c.name}>
                      {c.ok === false ? '✗' : c.ok ? '✓' : '?'} {c.name} {c.value === null ? '—' : +c.value.toFixed(4)} / {c.threshold}
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                {Object.entries(w.counts)
                  .map(([backend, c]) => `${backend}: ${c.requests} (${c.errors} errors)`)
                  .join('; ')}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Automatic rollbacks and promotions</h2>
      <Failure error={rollbacks.error} />
      {rollbacks.data?.length === 0 ? (
        <p>The analysis has changed nothing.</p>
      ) : (
        rollbacks.data && <AuditTable entries={rollbacks.data} caption="Changes made by the analysis" />
      )}
    </>
  );
}

function Endpoints({ report }: { report: ShadowReport }) {
  return (
    <Table
      label="Shadow comparison per endpoint"
      caption="Per endpoint"
      columns={['Endpoint', 'Compared', 'Matched', 'Mismatched', 'Noise', 'Dropped', 'Errors', 'Match rate', 'Noisy fields']}
    >
      {report.endpoints.map((e) => (
        <tr key={e.endpoint}>
          <th scope="row">{e.endpoint}</th>
          <td className="num">{e.compared}</td>
          <td className="num">{e.matched}</td>
          <td className="num">{e.mismatched}</td>
          <td className="num">{e.noise}</td>
          <td className="num">{e.dropped}</td>
          <td className="num">{e.errors}</td>
          <td className="num">{pct(e.compared > 0 ? (e.matched + e.noise) / e.compared : null)}</td>
          <td>{e.noisy.join(', ') || '—'}</td>
        </tr>
      ))}
    </Table>
  );
}
