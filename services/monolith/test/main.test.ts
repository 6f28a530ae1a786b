import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

for (const service of ['monolith', 'movies']) {
  test(`${service}: invalid configuration stops start-up with every problem listed`, () => {
    const result = spawnSync(process.execPath, ['--conditions=source', `services/${service}/src/main.ts`], {
      cwd: root,
      env: { PATH: process.env['PATH'], PORT: 'http', DB_CONNECTION_STRING: 'mysql://x', LOG_LEVEL: 'chatty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`Invalid configuration for ${service}`));
    for (const key of ['PORT', 'DB_CONNECTION_STRING', 'LOG_LEVEL']) assert.match(result.stderr, new RegExp(key));
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace for a configuration error');
  });
}
