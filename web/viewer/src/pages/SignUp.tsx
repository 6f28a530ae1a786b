import { useState, type FormEvent } from 'react';
import { ApiError, createUser } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { ErrorNotice } from '../components/Notice.tsx';
import { Page } from '../components/Page.tsx';
import { navigate } from '../router.ts';
import { setUser } from '../session.ts';

const FIELDS = ['username', 'email'] as const;

export function SignUp() {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  // The API checks everything (the form does not second-guess it): its message about a field is
  // shown under that field, anything else above the button.
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setUser(await createUser({ username, email }));
      navigate('/account');
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const fieldError = (name: (typeof FIELDS)[number]) => (error instanceof ApiError && error.field === name ? error.message : undefined);
  const general = error !== undefined && !FIELDS.some((name) => fieldError(name));

  return (
    <Page title="Sign up">
      <p>Create your account, then choose a plan.</p>
      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={fieldError('username')}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError('email')}
        />
        {general && <ErrorNotice error={error} />}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </Page>
  );
}
