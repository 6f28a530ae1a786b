// Each migrated route's state and its controls: enable, percentage (slider and exact value), split
// mode, stage, and the one-word transitions. Every change goes through a confirmation with a reason;
// a viewer token sees the controls disabled (and the API would answer 403 anyway).
import { useEffect, useId, useState } from 'react';
import { api, type Action, type MigrationChanges, type MigrationState, type RouteView } from '../api.ts';
import type { Confirmation } from '../components/ConfirmDialog.tsx';
import { when } from '../format.ts';
import { usePoll } from '../poll.ts';
import { Failure } from './common.tsx';

const STAGES = ['off', 'shadow', 'canary', 'migrated'] as const;

const ACTIONS: { action: Action; label: string; says: string; shown(s: MigrationState): boolean }[] = [
  { action: 'promote', label: 'Promote', says: 'one step forward (off → shadow → each canary step → migrated)', shown: (s) => s.stage !== 'migrated' },
  { action: 'pause', label: 'Pause', says: 'no automatic step forward until resumed', shown: (s) => !s.paused },
  { action: 'resume', label: 'Resume', says: 'automatic steps forward allowed again', shown: (s) => s.paused },
  { action: 'abort', label: 'Abort', says: 'everything back to the old backend (stage shadow, 0 %), paused', shown: () => true },
  { action: 'kill', label: 'Kill switch', says: 'everything to the old backend at once, settings kept', shown: (s) => !s.killed },
  { action: 'unkill', label: 'Lift kill switch', says: 'the settings apply again', shown: (s) => s.killed },
];

interface Props {
  canChange: boolean;
  confirm(request: Confirmation): void;
  /** Bumped after every confirmed change: the screen reads again at once. */
  changed: number;
}

export function Migrations({ canChange, confirm, changed }: Props) {
  const routes = usePoll(api.routes, 2000, [changed]);
  return (
    <section aria-labelledby="migrations-title">
      <h1 id="migrations-title">Migrations</h1>
      {!canChange && <p className="note">This token may read but not change: the controls are disabled.</p>}
      <Failure error={routes.error} />
      {routes.data?.length === 0 && <p>No route has a migration.</p>}
      {routes.data?.map((view) => (
        <RouteCard key={view.state.route} view={view} canChange={canChange} confirm={confirm} />
      ))}
    </section>
  );
}

type Draft = Pick<MigrationState, 'enabled' | 'percent' | 'mode' | 'stage'>;
const draftOf = (s: MigrationState): Draft => ({ enabled: s.enabled, percent: s.percent, mode: s.mode, stage: s.stage });

function RouteCard({ view, canChange, confirm }: { view: RouteView; canChange: boolean; confirm: Props['confirm'] }) {
  const { state, effectivePercent, breakers } = view;
  const [draft, setDraft] = useState<Draft>(draftOf(state));
  const id = useId();
  // A change (here or elsewhere) makes the stored state the starting point again; a poll's new copy
  // of the same version does not (it would undo what the person is typing).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version, not the object, says the state changed
  useEffect(() => setDraft(draftOf(state)), [state.version]);

  const changes = Object.fromEntries(Object.entries(draft).filter(([k, v]) => state[k as keyof Draft] !== v)) as MigrationChanges;
  const changed = Object.keys(changes);
  const describe = changed.map((k) => `${k}: ${String(state[k as keyof Draft])} → ${String(draft[k as keyof Draft])}`);

  const apply = () =>
    confirm({
      title: `Change ${state.route}`,
      summary: (
        <ul>
          {describe.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ),
      confirmLabel: 'Apply the change',
      run: async (reason) => {
        const result = await api.change(state.route, changes, reason);
        return `${state.route}: changed (audit #${result.auditId}), now ${result.effectivePercent} % to ${state.to}`;
      },
    });

  const act = (action: Action, label: string, says: string) =>
    confirm({
      title: `${label}: ${state.route}`,
      summary: <p>{says}</p>,
      confirmLabel: label,
      run: async (reason) => {
        const result = await api.act(state.route, action, reason);
        return `${state.route}: ${action} done (audit #${result.auditId}), now ${result.state.stage} at ${result.effectivePercent} % to ${state.to}`;
      },
    });

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const percentValid = Number.isInteger(draft.percent) && draft.percent >= 0 && draft.percent <= 100;

  return (
    <article className="card" aria-labelledby={`${id}-name`}>
      <h2 id={`${id}-name`}>
        {state.route}: {state.from} → {state.to}
      </h2>
      <dl className="facts">
        <dt>Stage</dt>
        <dd data-testid={`stage-${state.route}`}>{state.stage}</dd>
        <dt>Now to {state.to}</dt>
        <dd data-testid={`effective-${state.route}`}>{effectivePercent} %</dd>
        <dt>Split</dt>
        <dd>
          {state.enabled ? 'enabled' : 'disabled'}, {state.percent} %, {state.mode}, steps {state.steps.join(', ')}
        </dd>
        <dt>Paused</dt>
        <dd>{state.paused ? `yes${state.pausedReason ? ` (${state.pausedReason})` : ''}` : 'no'}</dd>
        <dt>Kill switch</dt>
        <dd>{state.killed ? 'on' : 'off'}</dd>
        <dt>Breakers</dt>
        <dd>
          {Object.entries(breakers).map(([name, b]) => (
            <span key={name} className={`badge breaker-${b}`}>
              {name} {b}
            </span>
          ))}
        </dd>
        <dt>Last change</dt>
        <dd>
          {when(state.updatedAt)} (version {state.version})
        </dd>
      </dl>
      <fieldset disabled={!canChange}>
        <legend>Change the split</legend>
        <div className="controls">
          <label className="check">
            <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
          </label>
          <label htmlFor={`${id}-range`}>Percentage to {state.to}</label>
          <div className="percent">
            <input
              id={`${id}-range`}
              type="range"
              min={0}
              max={100}
              step={1}
              value={percentValid ? draft.percent : 0}
              onChange={(e) => set('percent', Number(e.target.value))}
            />
            <input
              type="number"
              min={0}
              max={100}
              step={1}
              aria-label={`Exact percentage to ${state.to}`}
              value={Number.isNaN(draft.percent) ? '' : draft.percent}
              onChange={(e) => set('percent', e.target.value === '' ? Number.NaN : Number(e.target.value))}
              aria-invalid={!percentValid || undefined}
            />
          </div>
          <label htmlFor={`${id}-mode`}>Split mode</label>
          <select id={`${id}-mode`} value={draft.mode} onChange={(e) => set('mode', e.target.value as Draft['mode'])}>
            <option value="sticky">sticky (by user)</option>
            <option value="random">random (per request)</option>
          </select>
          <label htmlFor={`${id}-stage`}>Stage</label>
          <select id={`${id}-stage`} value={draft.stage} onChange={(e) => set('stage', e.target.value as Draft['stage'])}>
            {STAGES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        {!percentValid && <p className="error">The percentage is a whole number from 0 to 100.</p>}
        <div className="buttons">
          <button type="button" className="primary" disabled={changed.length === 0 || !percentValid} onClick={apply}>
            Apply…
          </button>
          <button type="button" disabled={changed.length === 0} onClick={() => setDraft(draftOf(state))}>
            Reset
          </button>
        </div>
      </fieldset>
      <fieldset disabled={!canChange}>
        <legend>Transitions</legend>
        <div className="buttons">
          {ACTIONS.filter((a) => a.shown(state)).map((a) => (
            <button
              key={a.action}
              type="button"
              className={a.action === 'kill' || a.action === 'abort' ? 'danger' : ''}
              onClick={() => act(a.action, a.label, a.says)}
            >
              {a.label}…
            </button>
          ))}
        </div>
      </fieldset>
    </article>
  );
}
