// The shared browser helpers themselves: Chromium starts, and the accessibility check fails a page
// that a screen reader user could not use while passing one they could.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, openContext } from './support/browser.ts';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const page = (body: string) => `<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>${body}</main></body></html>`;

test('a labelled form passes; an unlabelled field is a critical violation', async () => {
  const { context, page: tab, errors } = await openContext(browser);
  try {
    await tab.setContent(page('<label for="q">Title</label><input id="q">'));
    await assertAccessible(tab, 'labelled');
    await tab.setContent(page('<input id="q">'));
    await assert.rejects(assertAccessible(tab, 'unlabelled'), /critical label/);
    assert.deepEqual(errors(), []);
  } finally {
    await context.close();
  }
});

test('an uncaught error in the page is recorded', async () => {
  const { context, page: tab, errors } = await openContext(browser);
  try {
    const thrown = tab.waitForEvent('pageerror');
    await tab.setContent(page('<script>setTimeout(() => { throw new Error("render failed") })</script>'));
    await thrown;
    assert.match(errors().join(), /render failed/);
  } finally {
    await context.close();
  }
});
