import { useState, type FormEvent } from 'react';
import type { User } from '@cinemaabyss/api';
import { listPayments, listSubscriptions, pay, subscribe } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { ErrorNotice, SuccessNotice } from '../components/Notice.tsx';
import { Page } from '../components/Page.tsx';
import { useLoad } from '../load.ts';
import { PLANS, day, money, period } from '../plans.ts';
import { setUser, useUser } from '../session.ts';

export function Account() {
  const user = useUser();
  if (!user) {
    return (
      <Page title="Your account">
        <p>
          You are not signed in. <Link href="/signup">Sign up</Link> to choose a plan.
        </p>
      </Page>
    );
  }
  return <SignedIn user={user} />;
}

function SignedIn({ user }: { user: User }) {
  const [history, reload] = useLoad(String(user.id), async () => {
    const [payments, subscriptions] = await Promise.all([listPayments(user.id), listSubscriptions(user.id)]);
    return { payments: payments.toReversed(), subscriptions: subscriptions.toReversed() };
  });
  const [plan, setPlan] = useState(PLANS[1]!.type);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: string } | { error: unknown }>();

  // Payment first: a subscription is created only once its payment is recorded.
  const buy = async (event: FormEvent) => {
    event.preventDefault();
    const chosen = PLANS.find((p) => p.type === plan)!;
    setBusy(true);
    setOutcome(undefined);
    try {
      await pay({ user_id: user.id, amount: chosen.price });
      const subscription = await subscribe({ user_id: user.id, plan_type: chosen.type, ...period() });
      setOutcome({ ok: `Paid ${money.format(chosen.price)}: your ${chosen.name} plan runs until ${day.format(new Date(subscription.end_date))}.` });
    } catch (error) {
      setOutcome({ error });
    } finally {
      setBusy(false);
      reload();
    }
  };

  const now = Date.now();
  const current = history.state === 'ready' ? history.value.subscriptions.find((s) => new Date(s.end_date).getTime() >= now) : undefined;
  return (
    <Page title="Your account">
      <p>
        Signed in as <strong>{user.username}</strong> ({user.email}).{' '}
        <button type="button" className="link" onClick={() => setUser(undefined)}>
          Sign out
        </button>
      </p>

      <section aria-labelledby="plan-heading">
        <h2 id="plan-heading">Choose a plan</h2>
        <form onSubmit={(event) => void buy(event)}>
          <fieldset className="plans">
            <legend>Plan (one month)</legend>
            {PLANS.map((p) => (
              <label key={p.type} className="plan">
                <input type="radio" name="plan" value={p.type} checked={plan === p.type} onChange={() => setPlan(p.type)} />
                <span className="plan-name">{p.name}</span>
                <span className="plan-price">{money.format(p.price)} a month</span>
                <span className="plan-perks">{p.perks}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={busy}>
            {busy ? 'Paying…' : `Pay ${money.format(PLANS.find((p) => p.type === plan)!.price)} and subscribe`}
          </button>
        </form>
        {outcome && 'ok' in outcome && <SuccessNotice>{outcome.ok}</SuccessNotice>}
        {outcome && 'error' in outcome && <ErrorNotice error={outcome.error} />}
      </section>

      <section aria-labelledby="subscription-heading">
        <h2 id="subscription-heading">Your subscription</h2>
        {history.state === 'loading' && <p>Loading…</p>}
        {history.state === 'failed' && <ErrorNotice error={history.error} retry={reload} />}
        {history.state === 'ready' &&
          (current ? (
            <p>
              <strong>{PLANS.find((p) => p.type === current.plan_type)?.name ?? current.plan_type}</strong>, from {day.format(new Date(current.start_date))} to{' '}
              {day.format(new Date(current.end_date))}.
            </p>
          ) : (
            <p>No active subscription.</p>
          ))}
      </section>

      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">Payments</h2>
        {history.state === 'ready' &&
          (history.value.payments.length === 0 ? (
            <p>No payment yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Amount</th>
                </tr>
              </thead>
              <tbody>
                {history.value.payments.map((payment) => (
                  <tr key={payment.id}>
                    <td>{day.format(new Date(payment.timestamp))}</td>
                    <td>{money.format(payment.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </section>
    </Page>
  );
}
