import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { loadGatewayConfig } from '../src/config.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ConfigError');
    const problems = (error as Error & { problems: string[] }).problems;
    assert.ok(Array.isArray(problems));
    for (const p of problems) assert.ok(error.message.includes(p), 'the message lists every problem');
    return problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

const keysOf = (problems: string[]) => [...new Set(problems.map((p) => p.split(':', 1)[0]))].sort();

describe('loadGatewayConfig', () => {
  test('defaults: PORT 8000, migration off at 0 %, sticky, local service URLs, limits', () => {
    const config = loadGatewayConfig({});
    assert.equal(config.PORT, 8000);
    assert.equal(config.HOST, '0.0.0.0');
    assert.equal(config.GRADUAL_MIGRATION, false);
    assert.equal(config.MOVIES_MIGRATION_PERCENT, 0);
    assert.equal(config.MIGRATION_MODE, 'sticky');
    assert.equal(config.MONOLITH_URL, 'http://localhost:8080');
    assert.equal(config.MOVIES_SERVICE_URL, 'http://localhost:8081');
    assert.equal(config.EVENTS_SERVICE_URL, 'http://localhost:8082');
    assert.equal(config.GATEWAY_CONFIG, undefined);
    assert.equal(config.GATEWAY_OVERRIDE_SECRET, undefined);
    assert.equal(config.GATEWAY_MAX_BODY_BYTES, 10 * 1024 * 1024);
    assert.equal(config.GATEWAY_MAX_HEADER_BYTES, 16384);
    assert.equal(config.GATEWAY_OVERRIDE_MAX_TTL_SECONDS, 86_400);
  });

  test('values are coerced from the environment strings', () => {
    const config = loadGatewayConfig({
      PORT: '9000',
      GRADUAL_MIGRATION: 'true',
      MOVIES_MIGRATION_PERCENT: '35',
      MIGRATION_MODE: 'random',
      MOVIES_SERVICE_URL: 'https://movies.internal:8443',
      GATEWAY_OVERRIDE_SECRET: '0123456789abcdef',
      GATEWAY_MAX_BODY_BYTES: '2048',
    });
    assert.equal(config.PORT, 9000);
    assert.equal(config.GRADUAL_MIGRATION, true);
    assert.equal(config.MOVIES_MIGRATION_PERCENT, 35);
    assert.equal(config.MIGRATION_MODE, 'random');
    assert.equal(config.MOVIES_SERVICE_URL, 'https://movies.internal:8443');
    assert.equal(config.GATEWAY_OVERRIDE_SECRET, '0123456789abcdef');
    assert.equal(config.GATEWAY_MAX_BODY_BYTES, 2048);
    assert.equal(loadGatewayConfig({ GRADUAL_MIGRATION: 'false' }).GRADUAL_MIGRATION, false);
    assert.equal(loadGatewayConfig({ MOVIES_MIGRATION_PERCENT: '100' }).MOVIES_MIGRATION_PERCENT, 100);
    // An empty variable counts as unset.
    assert.equal(loadGatewayConfig({ MOVIES_MIGRATION_PERCENT: '' }).MOVIES_MIGRATION_PERCENT, 0);
    assert.equal(loadGatewayConfig({ GATEWAY_OVERRIDE_MAX_TTL_SECONDS: '300' }).GATEWAY_OVERRIDE_MAX_TTL_SECONDS, 300);
  });

  test('GATEWAY_OVERRIDE_MAX_TTL_SECONDS: a whole number of seconds from 1 s to 31 days', () => {
    for (const bad of ['0', '-5', '1.5', 'a day', String(31 * 86_400 + 1)]) {
      assert.deepEqual(keysOf(problemsOf({ GATEWAY_OVERRIDE_MAX_TTL_SECONDS: bad })), ['GATEWAY_OVERRIDE_MAX_TTL_SECONDS'], bad);
    }
  });

  test('every bad key is reported in one error', () => {
    const problems = problemsOf({
      GRADUAL_MIGRATION: 'maybe',
      MOVIES_MIGRATION_PERCENT: '150',
      MONOLITH_URL: 'not a url',
      MOVIES_SERVICE_URL: 'ftp://movies:21',
      EVENTS_SERVICE_URL: 'localhost:8082',
    });
    assert.deepEqual(keysOf(problems), ['EVENTS_SERVICE_URL', 'GRADUAL_MIGRATION', 'MONOLITH_URL', 'MOVIES_MIGRATION_PERCENT', 'MOVIES_SERVICE_URL']);
    assert.ok(problems.includes('GRADUAL_MIGRATION: must be boolean'));
    assert.ok(problems.includes('MOVIES_MIGRATION_PERCENT: must be <= 100'));
  });

  test('MOVIES_MIGRATION_PERCENT must be an integer in 0..100', () => {
    assert.deepEqual(problemsOf({ MOVIES_MIGRATION_PERCENT: 'abc' }), ['MOVIES_MIGRATION_PERCENT: must be integer']);
    assert.deepEqual(problemsOf({ MOVIES_MIGRATION_PERCENT: '12.5' }), ['MOVIES_MIGRATION_PERCENT: must be integer']);
    assert.deepEqual(problemsOf({ MOVIES_MIGRATION_PERCENT: '-1' }), ['MOVIES_MIGRATION_PERCENT: must be >= 0']);
    assert.deepEqual(problemsOf({ MOVIES_MIGRATION_PERCENT: '101' }), ['MOVIES_MIGRATION_PERCENT: must be <= 100']);
  });

  test('other keys: migration mode, override secret length, port and size bounds', () => {
    const problems = problemsOf({
      MIGRATION_MODE: 'round-robin',
      GATEWAY_OVERRIDE_SECRET: 'too-short',
      PORT: '70000',
      GATEWAY_MAX_BODY_BYTES: '10',
      GATEWAY_MAX_HEADER_BYTES: '1000000',
      GRADUAL_MIGRATION: 'yes',
    });
    assert.deepEqual(keysOf(problems), [
      'GATEWAY_MAX_BODY_BYTES',
      'GATEWAY_MAX_HEADER_BYTES',
      'GATEWAY_OVERRIDE_SECRET',
      'GRADUAL_MIGRATION',
      'MIGRATION_MODE',
      'PORT',
    ]);
    assert.ok(problems.includes('MIGRATION_MODE: must be one of sticky, random'));
  });
});

test('main.ts exits 1 and names every bad key on stderr', { timeout: 25_000 }, async () => {
  const child = spawn(process.execPath, ['--conditions=source', 'services/gateway/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GRADUAL_MIGRATION: 'maybe', MOVIES_MIGRATION_PERCENT: '101' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c, s) => done([c, s]));
  }).finally(() => clearTimeout(killer));
  assert.equal(signal, null, `killed by ${signal} (did it start listening instead of failing?) stdout: ${stdout}`);
  assert.equal(code, 1, `stderr: ${stderr}`);
  assert.match(stderr, /Invalid configuration for gateway/);
  assert.match(stderr, /GRADUAL_MIGRATION: must be boolean/);
  assert.match(stderr, /MOVIES_MIGRATION_PERCENT: must be <= 100/);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+/, 'a configuration error is printed plainly, without a stack trace');
});
