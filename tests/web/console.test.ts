// The migration console in headless Chromium against the real stack (tests/web/support/console-stack.ts):
// a person changes the split and real requests follow it, sees a shadow mismatch with its diff,
// watches the breaker open when the movies service stops, replays a dead letter; a viewer token
// changes nothing; every screen passes axe, on a desktop and a phone-sized screen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { call } from '../support/stack.ts';
import { PHONE, assertAccessible, launchBrowser, openContext, screenshot } from './support/browser.ts';
import { OPERATOR_TOKEN, VIEWER_TOKEN, startConsoleStack, type ConsoleStack } from './support/console-stack.ts';

let browser: Browser;
let stack: ConsoleStack;
before(async () => {
  [browser, stack] = await Promise.all([launchBrowser(), startConsoleStack()]);
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

const SCREENS = ['traffic', 'migrations', 'shadow', 'audit', 'events'] as const;

/** A change through the admin API, as another operator (or `npm run ctl`) would make it. */
async function change(changes: Record<string, unknown>, reason: string) {
  const res = await call('PATCH', `${stack.admin}/admin/routes/movies`, { changes, reason }, { authorization: `Bearer ${OPERATOR_TOKEN}` });
  assert.equal(res.status, 200, res.text);
}

/** Which backend served each of `users` distinct users' GET /api/movies through the public port. */
async function servedBy(users: number, offset = 0): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let user = offset + 1; user <= offset + users; user++) {
    const res = await call('GET', `${stack.gateway}/api/movies?limit=1`, undefined, { 'x-user-id': String(user) });
    assert.equal(res.status, 200, res.text);
    const backend = res.headers.get('x-served-by') ?? '?';
    counts[backend] = (counts[backend] ?? 0) + 1;
  }
  return counts;
}

async function signIn(page: Page, secret: string): Promise<void> {
  await page.goto(stack.admin);
  await page.getByLabel('Admin token').fill(secret);
  await page.getByRole('button', { name: 'Open the console' }).click();
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
}

async function show(page: Page, screen: (typeof SCREENS)[number]): Promise<void> {
  await page.goto(`${stack.admin}/#/${screen}`);
  await page.locator('main h1').waitFor();
}

/** Confirms the open dialog with a reason. */
async function confirmWith(page: Page, reason: string, button: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Reason (kept in the audit log)').fill(reason);
  await dialog.getByRole('button', { name: button }).click();
  await dialog.waitFor({ state: 'hidden' });
}

test('the console is served on the admin port without a token; a wrong token is refused', async () => {
  const page = await call('GET', `${stack.admin}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  // Never on the public port: there `/` is the monolith's (or the viewer's), not the console.
  assert.doesNotMatch((await call('GET', `${stack.gateway}/`)).text, /migration console/);

  const { context, page: tab, errors } = await openContext(browser);
  try {
    await tab.goto(stack.admin);
    await assertAccessible(tab, 'token gate');
    await tab.getByLabel('Admin token').fill('not-a-token-of-this-gateway-at-all');
    await tab.getByRole('button', { name: 'Open the console' }).click();
    await tab.getByRole('alert').filter({ hasText: 'valid bearer token' }).waitFor();
    await screenshot(tab, 'console-token');
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});

test('an operator moves the split with the slider’s exact value; real requests follow it; the audit shows who and why', async () => {
  assert.deepEqual(await servedBy(20), { monolith: 20 }, 'the migration starts off');
  const { context, page, errors } = await openContext(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await signIn(page, OPERATOR_TOKEN);
    await show(page, 'migrations');
    await assertAccessible(page, 'migrations');
    await page.getByLabel('Exact percentage to movies').fill('50');
    assert.equal(await page.getByRole('slider', { name: 'Percentage to movies' }).inputValue(), '50', 'the slider follows the exact value');
    await page.getByRole('button', { name: 'Apply…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('percent: 0 → 50').waitFor();
    // No reason, no change.
    await dialog.getByRole('button', { name: 'Apply the change' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'reason is required' }).waitFor();
    await assertAccessible(page, 'confirmation dialog');
    await confirmWith(page, 'first canary step from the console', 'Apply the change');
    await page.getByRole('status').filter({ hasText: 'movies: changed' }).waitFor();
    await page.getByTestId('effective-movies').filter({ hasText: '50 %' }).waitFor();
    await screenshot(page, 'console-migrations');

    // The split moved for real: about half of 200 users now reach the movies service.
    const counts = await servedBy(200, 1000);
    assert.ok((counts['movies'] ?? 0) >= 60 && (counts['movies'] ?? 0) <= 140, `about half to movies: ${JSON.stringify(counts)}`);
    assert.equal((counts['movies'] ?? 0) + (counts['monolith'] ?? 0), 200);

    await show(page, 'audit');
    const row = page.getByRole('row').filter({ hasText: 'first canary step from the console' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /olivia/);
    assert.match((await row.textContent()) ?? '', /percent: 0 → 50/);
    await assertAccessible(page, 'audit');
    await screenshot(page, 'console-audit');

    // Live traffic: both backends of the route, with their numbers and charts.
    await show(page, 'traffic');
    await page.getByTestId('traffic-movies-movies').waitFor();
    await page.getByTestId('traffic-movies-monolith').waitFor();
    await assertAccessible(page, 'traffic');
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});

test('a shadow mismatch shows with its side-by-side diff; the analysis judges the windows and pauses the route, saying why', async () => {
  // The movies service misbehaves (test code rewrites its answers): one title differs.
  stack.movies.fault = {
    kind: 'alter',
    change: (body) => (body as { title: string }[]).map((m, i) => (i === 0 ? { ...m, title: `${m.title} (remastered)` } : m)),
  };
  await change(
    { stage: 'shadow', shadow: { percent: 100 }, analysis: { enabled: true, windowSeconds: 1, minRequests: 1, failWindows: 2 } },
    'compare before serving anyone',
  );
  const { context, page, errors } = await openContext(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await signIn(page, OPERATOR_TOKEN);
    await show(page, 'shadow');
    const mismatch = page.getByRole('article', { name: /Mismatch on GET \/api\/movies/ }).first();
    // Requests keep coming until the comparison shows (mismatches are stored once a second).
    for (let i = 0; !(await mismatch.isVisible()); i++) {
      assert.ok(i < 60, 'a mismatch shows within a minute');
      await servedBy(5, 2000 + i * 5);
      await page.waitForTimeout(500);
    }
    const [, served, shadowed] = await mismatch.getByRole('row').filter({ hasText: '/0/title' }).locator('th, td').allTextContents();
    assert.equal(shadowed, served!.replace(/"$/, ' (remastered)"'), 'the served title beside the shadow’s');
    assert.match((await mismatch.textContent()) ?? '', /monolith \(served, 200\)[\s\S]*movies \(shadow, 200\)/);
    assert.notEqual(await page.getByTestId('match-rate').textContent(), '100.0 %');
    // Every comparison differs: failed windows, then the analysis's own audited change with its reason.
    const rollback = page.getByRole('region', { name: 'Changes made by the analysis' }).getByRole('row').filter({ hasText: 'mismatch_rate' });
    for (let i = 0; !(await rollback.first().isVisible()); i++) {
      assert.ok(i < 60, 'the analysis acts within a minute');
      await servedBy(5, 3000 + i * 5);
      await page.waitForTimeout(500);
    }
    assert.match((await rollback.first().textContent()) ?? '', /analysis \(automatic\)[\s\S]*paused: false → true/);
    await page.getByRole('region', { name: 'Analysis windows' }).getByText('fail').first().waitFor();
    await assertAccessible(page, 'shadow');
    await screenshot(page, 'console-shadow');
    assert.deepEqual(errors(), []);
  } finally {
    stack.movies.fault = { kind: 'none' };
    await context.close();
  }
});

test('the events screen counts events, shows the latest and replays a dead letter', async () => {
  const user = await call('POST', `${stack.gateway}/api/users`, { username: 'console-user', email: 'console-user@example.com' });
  assert.equal(user.status, 201, user.text);
  // Another producer's record that is not an event at all: dead-lettered at once.
  await stack.bus.send({ topic: 'user-events', key: '7', value: 'not an event' });
  const { context, page, errors } = await openContext(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await signIn(page, OPERATOR_TOKEN);
    await show(page, 'events');
    await page.getByRole('row').filter({ hasText: 'console-user@example.com' }).first().waitFor({ timeout: 30_000 });
    const replay = page.getByRole('button', { name: /^Replay dead letter \d+$/ });
    await replay.waitFor({ timeout: 30_000 });
    await assertAccessible(page, 'events');
    await screenshot(page, 'console-events');
    await replay.click();
    await confirmWith(page, 'the producer is fixed', 'Replay');
    await page.getByRole('status').filter({ hasText: '1 dead letter replayed' }).waitFor();
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});

test('a viewer token sees every screen and can change nothing (the controls are disabled, the API answers 403)', async () => {
  const { context, page, errors } = await openContext(browser);
  try {
    await signIn(page, VIEWER_TOKEN);
    await show(page, 'migrations');
    await page.getByText('This token may read but not change').waitFor();
    assert.equal(await page.getByLabel('Exact percentage to movies').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Apply…' }).isDisabled(), true);
    const transitions = await page.getByRole('group', { name: 'Transitions' }).getByRole('button').all();
    assert.ok(transitions.length >= 3, 'promote, pause or resume, abort, kill switch are shown');
    for (const button of transitions) assert.equal(await button.isDisabled(), true, `${await button.textContent()} is disabled`);
    // Even past the page, the API refuses the viewer's token.
    const res = await page.evaluate(
      async ({ token }) => {
        const answer = await fetch('/admin/routes/movies', {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ changes: { percent: 90 }, reason: 'sneaky' }),
        });
        return { status: answer.status, body: await answer.text() };
      },
      { token: VIEWER_TOKEN },
    );
    assert.equal(res.status, 403, res.body);
    for (const screen of SCREENS) {
      await show(page, screen);
      await assertAccessible(page, `${screen} (viewer)`);
    }
    await show(page, 'events');
    const replay = page.getByRole('button', { name: /^Replay/ });
    for (const button of await replay.all()) assert.equal(await button.isDisabled(), true);
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});

test('stopping the movies service opens its breaker and the traffic falls back to the monolith', async () => {
  // Without the analysis, which would otherwise roll the failing migration back meanwhile.
  await change({ stage: 'migrated', analysis: { enabled: false } }, 'everyone to the movies service');
  await stack.stopMovies();
  // Every GET is still answered, by the monolith: first as a fallback, then with the breaker open.
  assert.deepEqual(await servedBy(20, 5000), { monolith: 20 });
  const { context, page, errors } = await openContext(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await signIn(page, OPERATOR_TOKEN);
    await show(page, 'migrations');
    await page.getByText('movies open').first().waitFor();
    // Traffic keeps flowing while the screen is watched, so its latest points are live.
    let flowing = true;
    const load = (async () => {
      for (let i = 0; flowing; i++) assert.deepEqual(await servedBy(5, 6000 + i * 5), { monolith: 5 });
    })();
    try {
      await show(page, 'traffic');
      await page.getByTestId('breaker-movies').filter({ hasText: 'breaker open' }).waitFor();
      await page.getByTestId('breaker-monolith').filter({ hasText: 'breaker closed' }).waitFor();
      // The route's traffic, now served by the monolith, shows live numbers.
      await page
        .getByTestId('traffic-movies-monolith')
        .locator('td.num')
        .first()
        .filter({ hasNotText: /^0\.0$/ })
        .waitFor();
      await assertAccessible(page, 'traffic with an open breaker');
      await screenshot(page, 'console-traffic');
    } finally {
      flowing = false;
      await load;
    }
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});

test('on a phone-sized screen every screen fits its width and passes axe', async () => {
  const { context, page, errors } = await openContext(browser, PHONE);
  try {
    await signIn(page, OPERATOR_TOKEN);
    for (const screen of SCREENS) {
      await show(page, screen);
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(Number(overflow) <= 0, `${screen} is wider than the screen by ${String(overflow)} px`);
      await assertAccessible(page, `${screen} (phone)`);
    }
    await show(page, 'migrations');
    await screenshot(page, 'console-phone');
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});
