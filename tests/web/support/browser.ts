// Shared by the browser suites (tests/web/*.test.ts): one way to launch Chromium, check a screen's
// accessibility and take the screenshots the README shows.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`), which `.ci/run` installs; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots');

/** A phone-sized screen (an iPhone SE's CSS pixels), with touch, for the mobile checks. */
export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true };

/** Headless Chromium; the caller closes it (`after(() => browser.close())`). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The sandbox needs user namespaces, which containers and root (CI) usually lack.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/**
 * A new browser context whose pages fail the test on an uncaught error in the page: a blank screen
 * from a crashed render must not pass unnoticed. Call `errors()` to assert on them at the end.
 */
export async function openContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: () => string[] }> {
  const context = await browser.newContext({ locale: 'en-GB', reducedMotion: 'reduce', ...options });
  context.setDefaultTimeout(15_000);
  const found: string[] = [];
  context.on('weberror', (error) => found.push(error.error().message));
  const page = await context.newPage();
  return { context, page, errors: () => [...found] };
}

/** Impacts that fail a screen; `minor` and `moderate` findings are reported by axe but tolerated. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core in the page and fails on any serious or critical violation, listing each rule with
 * the elements it found, so the message alone says what to fix.
 */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  // The test program has no DOM types: the page's globals are reached through globalThis.
  // Evaluated over the DevTools protocol, not added as a <script>: the apps' Content-Security-Policy
  // refuses inline scripts, and the test must not weaken it (a CSP violation of the app would show).
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const results = await (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((node) => node.target.join(' ')),
    }));
  });
  const failing = violations.filter((v) => v.impact !== null && FAILING_IMPACTS.has(v.impact));
  assert.deepEqual(
    failing.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.join(', ')}`),
    [],
    `accessibility violations on ${screen}`,
  );
}

/** Writes docs/screenshots/<name>.png (the whole page), committed and shown in the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  // Wait for web fonts and pending layout, so the picture shows the settled screen.
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}
