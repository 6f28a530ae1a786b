// The configuration reference (README table, .env.example) is generated from the schemas the
// services validate their environment with; this fails when someone changes one without the others.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { envExample, readme } from '../../scripts/config-docs.ts';

const root = new URL('../../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

test('README.md configuration table matches the schemas (npm run config:docs)', () => {
  const current = read('README.md');
  assert.equal(readme(current), current);
});

test('.env.example matches the schemas (npm run config:docs)', () => {
  assert.equal(read('.env.example'), envExample());
});
