// The viewer app in headless Chromium against the real stack (services + gateway on free ports), used
// as a person would: browse, search, filter and page the catalogue; open a movie, watch and rate it
// (movie events reach the events service); sign up, choose a plan and pay; see a service that is
// down reported as such. Every screen passes axe (no serious or critical violation), the main ones
// are photographed for the README, and the catalogue and account work on a phone-sized screen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { call } from '../support/stack.ts';
import { eventually } from '../support/events-stack.ts';
import { PHONE, assertAccessible, launchBrowser, openContext, screenshot } from './support/browser.ts';
import { setupViewerStack } from './support/viewer-stack.ts';

const ctx = setupViewerStack();
let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A fresh browser tab (its own storage) for one test; fails the test on an uncaught page error. */
async function withPage(run: (page: Page) => Promise<void>, options: Parameters<typeof openContext>[1] = {}): Promise<void> {
  const { context, page, errors } = await openContext(browser, options);
  try {
    await run(page);
    assert.deepEqual(errors(), [], 'uncaught errors in the page');
  } finally {
    await context.close();
  }
}

const summary = (page: Page) => page.locator('.summary');
const movieTitles = (page: Page) => page.getByRole('list', { name: 'Movies' }).getByRole('heading').allTextContents();

interface MovieEvent {
  payload: { movie_id: number; action: string; rating?: number; user_id?: number };
}
async function movieEvents(): Promise<MovieEvent[]> {
  const res = await call('GET', `${ctx.stack.services.events}/api/events/recent?topic=movie-events&limit=100`);
  return res.body as MovieEvent[];
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.goto(`${ctx.stack.url}/signup`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
}

describe('the viewer', () => {
  test('browse the catalogue, search by title, filter by genre', async () => {
    await withPage(async (page) => {
      await page.goto(ctx.stack.url);
      await page.getByRole('heading', { level: 1, name: 'Catalogue' }).waitFor();
      await summary(page).getByText('5 movies').waitFor();
      assert.deepEqual(await movieTitles(page), ['The Shawshank Redemption', 'The Godfather', 'The Dark Knight', 'Pulp Fiction', 'Forrest Gump']);
      assert.equal(await page.title(), 'Catalogue · CinemaAbyss');
      await assertAccessible(page, 'catalogue');
      await screenshot(page, 'viewer-catalogue');

      await page.getByLabel('Title').fill('GOD');
      await page.getByRole('button', { name: 'Search' }).click();
      await summary(page).getByText('1 movie').waitFor();
      assert.deepEqual(await movieTitles(page), ['The Godfather']);
      assert.equal(new URL(page.url()).search, '?title=GOD');

      await page.getByLabel('Title').fill('');
      await page.getByLabel('Genre').fill('crime');
      await page.getByRole('button', { name: 'Search' }).click();
      await summary(page).getByText('3 movies').waitFor();
      assert.deepEqual(await movieTitles(page), ['The Godfather', 'The Dark Knight', 'Pulp Fiction']);

      await page.getByLabel('Title').fill('dark');
      await page.getByRole('button', { name: 'Search' }).click();
      await summary(page).getByText('1 movie').waitFor();
      assert.deepEqual(await movieTitles(page), ['The Dark Knight']);

      await page.getByLabel('Title').fill('no such film');
      await page.getByRole('button', { name: 'Search' }).click();
      await summary(page).getByText('No movie matches your search.').waitFor();
      await assertAccessible(page, 'catalogue with no match');

      // Back returns to the previous search, its fields included.
      await page.goBack();
      await summary(page).getByText('1 movie').waitFor();
      assert.equal(await page.getByLabel('Title').inputValue(), 'dark');
      await page.getByRole('link', { name: 'Show all movies' }).click();
      await summary(page).getByText('5 movies').waitFor();
    });
  });

  test('page through the catalogue with the total count', async () => {
    // 20 more "Sequel" movies: 25 in all, three pages of 12.
    for (let n = 1; n <= 20; n++) {
      const res = await call('POST', `${ctx.stack.services.monolith}/api/movies`, {
        title: `Sequel ${n}`,
        description: 'Again.',
        genres: ['Sequel'],
        rating: 5,
      });
      assert.equal(res.status, 201);
    }
    await withPage(async (page) => {
      await page.goto(ctx.stack.url);
      await summary(page).getByText('25 movies, page 1 of 3').waitFor();
      assert.equal((await movieTitles(page)).length, 12);
      const pages = page.getByRole('navigation', { name: 'Pages' });
      assert.equal(await pages.getByRole('link', { name: /Previous/ }).count(), 0);
      await pages.getByRole('link', { name: /Next/ }).click();
      await summary(page).getByText('25 movies, page 2 of 3').waitFor();
      assert.deepEqual(
        await movieTitles(page),
        Array.from({ length: 12 }, (_, i) => `Sequel ${i + 8}`),
      );
      await pages.getByRole('link', { name: /Next/ }).click();
      await summary(page).getByText('25 movies, page 3 of 3').waitFor();
      assert.deepEqual(await movieTitles(page), ['Sequel 20']);
      assert.equal(await pages.getByRole('link', { name: /Next/ }).count(), 0);
      await pages.getByRole('link', { name: /Previous/ }).click();
      await summary(page).getByText('page 2 of 3').waitFor();

      // Paging keeps the filter.
      await page.goto(`${ctx.stack.url}/?genre=sequel&page=2`);
      await summary(page).getByText('20 movies, page 2 of 2').waitFor();
      assert.equal((await movieTitles(page)).length, 8);
    });
  });

  test('open a movie; watching and rating post movie events', async () => {
    await withPage(async (page) => {
      await page.goto(ctx.stack.url);
      await page.getByRole('link', { name: 'Pulp Fiction' }).click();
      const heading = page.getByRole('heading', { level: 1, name: 'Pulp Fiction' });
      await heading.waitFor();
      assert.equal(new URL(page.url()).pathname, '/movies/4');
      // The new screen's heading has the focus (keyboard and screen-reader users start there).
      assert.equal(await heading.evaluate((h) => h === h.ownerDocument.activeElement), true);

      await page.getByRole('button', { name: 'Watch now' }).click();
      await page.getByRole('status').getByText('Now playing: Pulp Fiction').waitFor();
      await page.getByLabel('Your rating').selectOption('9');
      await page.getByRole('button', { name: 'Rate' }).click();
      await page.getByRole('status').getByText('you rated Pulp Fiction 9 out of 10').waitFor();
      await assertAccessible(page, 'movie');
      await screenshot(page, 'viewer-movie');

      await eventually(
        async () => {
          const events = (await movieEvents()).filter((e) => e.payload.movie_id === 4);
          return events.some((e) => e.payload.action === 'viewed') && events.some((e) => e.payload.action === 'rated' && e.payload.rating === 9);
        },
        20_000,
        'the viewed and rated events of movie 4',
      );

      await page.goto(`${ctx.stack.url}/movies/424242`);
      await page.getByRole('heading', { level: 1, name: 'Movie not found' }).waitFor();
      await assertAccessible(page, 'movie not found');
      await page.goto(`${ctx.stack.url}/no/such/page`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      await assertAccessible(page, 'page not found');
    });
  });

  test('sign up: the API validation errors are shown next to their field', async () => {
    await withPage(async (page) => {
      await page.goto(`${ctx.stack.url}/signup`);
      await page.getByRole('heading', { level: 1, name: 'Sign up' }).waitFor();
      await assertAccessible(page, 'sign-up');
      await page.getByLabel('Username').fill('ripley');
      await page.getByLabel('Email').fill('not an email');
      await page.getByRole('button', { name: 'Create account' }).click();
      const email = page.getByLabel('Email');
      await page.locator('[aria-invalid="true"]').waitFor();
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      // The message is tied to the field, so it is read out with it.
      const description = await email.evaluate((input) =>
        (input.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id: string) => input.ownerDocument.getElementById(id)?.textContent)
          .join(' '),
      );
      assert.match(description, /email must match format "email"/i);
      assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), null);
      await assertAccessible(page, 'sign-up with an error');
      await screenshot(page, 'viewer-signup-error');

      // Taken: the conflict names the username.
      await call('POST', `${ctx.stack.services.monolith}/api/users`, { username: 'taken', email: 'taken@example.com' });
      await page.getByLabel('Username').fill('taken');
      await page.getByLabel('Email').fill('ripley@example.com');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Username already exists').waitFor();
      assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
      assert.equal(await email.getAttribute('aria-invalid'), null);

      await page.getByLabel('Username').fill('ripley');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      await page.getByText('Signed in as ripley').waitFor();
      const users = await call('GET', `${ctx.stack.services.monolith}/api/users`);
      assert.ok(users.body.some((u: { username: string; email: string }) => u.username === 'ripley' && u.email === 'ripley@example.com'));
    });
  });

  test('sign up, choose a plan and pay: the payment and the subscription are shown', async () => {
    await withPage(async (page) => {
      await page.goto(`${ctx.stack.url}/account`);
      await page.getByText('You are not signed in').waitFor();
      await assertAccessible(page, 'account, signed out');
      await signUp(page, 'dallas');
      await page.getByText('No active subscription.').waitFor();
      await page.getByText('No payment yet.').waitFor();

      await page.getByRole('radio', { name: /Premium/ }).check();
      await page.getByRole('button', { name: 'Pay €14.99 and subscribe' }).click();
      await page.getByRole('status').getByText('Paid €14.99: your Premium plan runs until').waitFor();
      await page.getByRole('table').getByRole('cell', { name: '€14.99' }).waitFor();
      await page.getByRole('region', { name: 'Your subscription' }).getByText('Premium').waitFor();
      await assertAccessible(page, 'account with a subscription');
      await screenshot(page, 'viewer-account');

      const user = (await call('GET', `${ctx.stack.services.monolith}/api/users`)).body.find((u: { username: string }) => u.username === 'dallas');
      const payments = await call('GET', `${ctx.stack.services.monolith}/api/payments?user_id=${user.id}`);
      assert.deepEqual(
        payments.body.map((p: { amount: number }) => p.amount),
        [14.99],
      );
      const subscriptions = await call('GET', `${ctx.stack.services.monolith}/api/subscriptions?user_id=${user.id}`);
      assert.deepEqual(
        subscriptions.body.map((s: { plan_type: string }) => s.plan_type),
        ['premium'],
      );

      // The account survives a reload (remembered in this browser); watching is then by this user.
      await page.reload();
      await page.getByText('Signed in as dallas').waitFor();
      await page.goto(`${ctx.stack.url}/movies/1`);
      await page.getByRole('button', { name: 'Watch now' }).click();
      await page.getByRole('status').getByText('Now playing').waitFor();
      await eventually(async () => (await movieEvents()).some((e) => e.payload.movie_id === 1 && e.payload.user_id === user.id), 20_000, "dallas's viewing");
    });
  });

  test('keyboard: skip link first, then the header, then the search form, in reading order', async () => {
    await withPage(async (page) => {
      await page.goto(ctx.stack.url);
      await summary(page).getByText('movies').waitFor();
      const focused = () =>
        page.evaluate(() => {
          const el = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string; id: string } } }).document.activeElement;
          return `${el.tagName.toLowerCase()}:${el.id || el.textContent.trim()}`;
        });
      const order: string[] = [];
      for (let i = 0; i < 7; i++) {
        await page.keyboard.press('Tab');
        order.push(await focused());
      }
      assert.deepEqual(order, ['a:Skip to content', 'a:CinemaAbyss', 'a:Catalogue', 'a:Sign up', 'a:Account', 'input:search-title', 'input:search-genre']);
      // The search works from the keyboard alone.
      await page.getByLabel('Title').focus();
      await page.keyboard.type('pulp');
      await page.keyboard.press('Enter');
      await summary(page).getByText('1 movie').waitFor();
      await page.keyboard.press('Tab'); // genre
      await page.keyboard.press('Tab'); // Search
      await page.keyboard.press('Tab'); // Show all movies
      await page.keyboard.press('Tab'); // the movie
      assert.equal(await focused(), 'a:Pulp Fiction');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Pulp Fiction' }).waitFor();
    });
  });

  test('a phone-sized screen: one column, nothing wider than the screen, still accessible', async () => {
    await withPage(async (page) => {
      const overflow = () =>
        page.evaluate(() => {
          const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
      await page.goto(ctx.stack.url);
      await summary(page).getByText('movies').waitFor();
      assert.equal(await overflow(), 0, 'the catalogue scrolls sideways');
      const [first, second] = await page
        .getByRole('list', { name: 'Movies' })
        .getByRole('listitem')
        .evaluateAll((items) =>
          items.slice(0, 2).map((item) => (item as unknown as { getBoundingClientRect(): { x: number; y: number } }).getBoundingClientRect()),
        );
      assert.equal(first!.x, second!.x, 'cards are in one column');
      assert.ok(second!.y > first!.y);
      await assertAccessible(page, 'catalogue on a phone');
      await screenshot(page, 'viewer-phone-catalogue');

      await signUp(page, 'parker');
      assert.equal(await overflow(), 0, 'the account scrolls sideways');
      await assertAccessible(page, 'account on a phone');
      await screenshot(page, 'viewer-phone-account');
      await page.goto(`${ctx.stack.url}/movies/2`);
      await page.getByRole('heading', { level: 1, name: 'The Godfather' }).waitFor();
      assert.equal(await overflow(), 0, 'the movie page scrolls sideways');
      await assertAccessible(page, 'movie on a phone');
    }, PHONE);
  });

  // Last: these stop services of the shared stack.
  test('a service that is down is reported as such, and the rest keeps working', async () => {
    await withPage(async (page) => {
      await page.goto(`${ctx.stack.url}/movies/3`);
      await page.getByRole('heading', { level: 1, name: 'The Dark Knight' }).waitFor();
      await ctx.stack.services.stopService('events');
      await page.getByRole('button', { name: 'Watch now' }).click();
      await page.getByRole('alert').getByText('The events service is unavailable right now').waitFor();
      await assertAccessible(page, 'events service down');
      await screenshot(page, 'viewer-service-down');

      // The catalogue is another service: still served.
      await page.getByRole('link', { name: 'Back to the catalogue' }).click();
      await summary(page).getByText('movies').waitFor();

      await ctx.stack.services.stopService('monolith');
      await page.getByLabel('Title').fill('dark');
      await page.getByRole('button', { name: 'Search' }).click();
      const alert = page.getByRole('alert');
      await alert.getByText('The catalogue service is unavailable right now').waitFor();
      await alert.getByRole('button', { name: 'Try again' }).waitFor();
      await assertAccessible(page, 'catalogue service down');
      // The app around it still works: no blank page.
      await page.getByRole('link', { name: 'Sign up' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign up' }).waitFor();
    });
  });
});
