// Every workspace declares the packages its source imports: npm's hoisting would otherwise hide a
// missing declaration here and break a production install of that workspace alone (the images).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const workspaces = ['packages', 'services'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(dir, name))).concat('embedded');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);

for (const workspace of workspaces) {
  test(`${workspace} declares what its src imports`, () => {
    const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
    };
    const declared = new Set(Object.keys(manifest.dependencies ?? {}));
    const missing = new Set<string>();
    for (const file of sources(join(root, workspace, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'/gm)) {
        if (/^import type /.test(match[0]) || match[0].includes('import type {')) continue;
        const name = packageOf(match[1]!);
        if (name.startsWith('node:') || builtinModules.includes(name) || name === manifest.name) continue;
        if (!declared.has(name)) missing.add(name);
      }
    }
    assert.deepEqual([...missing], [], `${workspace}/package.json misses dependencies`);
  });
}
