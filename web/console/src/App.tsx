// The console's shell: the token gate, the navigation (hash links, so every screen has an address
// and the gateway serves one file), the confirmation dialog and the status line.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, token, whenUnauthorised, type Caller } from './api.ts';
import { ConfirmDialog, type Confirmation } from './components/ConfirmDialog.tsx';
import { Audit } from './screens/Audit.tsx';
import { Events } from './screens/Events.tsx';
import { Migrations } from './screens/Migrations.tsx';
import { Shadow } from './screens/Shadow.tsx';
import { Traffic } from './screens/Traffic.tsx';

const SCREENS = [
  { path: 'traffic', label: 'Traffic' },
  { path: 'migrations', label: 'Migrations' },
  { path: 'shadow', label: 'Shadow & analysis' },
  { path: 'audit', label: 'Audit' },
  { path: 'events', label: 'Events' },
] as const;
type Screen = (typeof SCREENS)[number]['path'];

const screenOf = (hash: string): Screen => SCREENS.find((s) => `#/${s.path}` === hash)?.path ?? 'traffic';

export function App() {
  const [caller, setCaller] = useState<Caller>();
  const [gateMessage, setGateMessage] = useState<string>();
  const [screen, setScreen] = useState<Screen>(screenOf(location.hash));
  const [confirmation, setConfirmation] = useState<Confirmation>();
  const [status, setStatus] = useState<string>();
  const [changed, setChanged] = useState(0);

  const signIn = useCallback(async () => {
    try {
      setCaller(await api.whoami());
      setGateMessage(undefined);
    } catch (e) {
      setCaller(undefined);
      if (e instanceof ApiError && e.status === 401) token.clear();
      setGateMessage(e instanceof ApiError ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    whenUnauthorised((message) => {
      token.clear();
      setCaller(undefined);
      setGateMessage(message);
    });
    if (token.get()) void signIn();
    const onHash = () => setScreen(screenOf(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [signIn]);

  // Each screen has its own title, and focus goes to its heading for screen-reader and keyboard users.
  useEffect(() => {
    if (!caller) return;
    document.title = `${SCREENS.find((s) => s.path === screen)?.label} · CinemaAbyss console`;
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus();
  }, [screen, caller]);

  if (!caller) return <TokenGate message={gateMessage} onToken={signIn} />;
  const canChange = caller.role === 'operator';
  const done = (message: string | undefined) => {
    setConfirmation(undefined);
    if (message) {
      setStatus(message);
      setChanged((c) => c + 1);
    }
  };

  return (
    <>
      <header className="top">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <span className="brand">CinemaAbyss console</span>
        <nav aria-label="Screens">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.path}>
                <a href={`#/${s.path}`} aria-current={s.path === screen ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {caller.label} ({caller.role}){' '}
          <button
            type="button"
            onClick={() => {
              token.clear();
              setCaller(undefined);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
      <main id="main" tabIndex={-1}>
        {screen === 'traffic' && <Traffic />}
        {screen === 'migrations' && <Migrations canChange={canChange} confirm={setConfirmation} changed={changed} />}
        {screen === 'shadow' && <Shadow />}
        {screen === 'audit' && <Audit changed={changed} />}
        {screen === 'events' && <Events canChange={canChange} confirm={setConfirmation} changed={changed} />}
      </main>
      <ConfirmDialog request={confirmation} onDone={done} />
    </>
  );
}

function TokenGate({ message, onToken }: { message: string | undefined; onToken(): void }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    token.set(value.trim());
    onToken();
  };
  return (
    <main id="main" className="gate">
      <h1>CinemaAbyss migration console</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          required
          aria-describedby="token-help"
        />
        <p id="token-help" className="muted">
          A token of GATEWAY_ADMIN_TOKENS (or the one <code>npm start</code> printed). It stays in this tab only.
        </p>
        {message && (
          <p className="error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" className="primary">
          Open the console
        </button>
      </form>
    </main>
  );
}
