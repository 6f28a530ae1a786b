// The Node version is pinned once, by the npm `node` package the scripts run on; .nvmrc (nvm, fnm,
// CI setup actions) and `engines` must name the same release line, or a newcomer's shell and the
// repository's scripts disagree about which Node runs the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { devDependencies: Record<string, string>; engines: { node: string } };
const pinned = manifest.devDependencies['node']!;

test('.nvmrc names the pinned Node', () => {
  assert.equal(readFileSync(new URL('.nvmrc', root), 'utf8').trim(), pinned);
});

test('engines.node accepts the pinned Node and nothing older, nor the next major', () => {
  const [major] = pinned.split('.');
  assert.equal(manifest.engines.node, `>=${pinned} <${Number(major) + 1}`);
});

test('the scripts run on the pinned Node', () => {
  assert.equal(process.versions.node, pinned);
});
