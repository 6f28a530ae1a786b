import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, Flag, LogLevel, Port, Type, loadConfig } from '@cinemaabyss/config';

const Schema = Type.Object({
  PORT: Port(8080),
  LOG_LEVEL: LogLevel,
  DB_CONNECTION_STRING: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  PERCENT: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
  ENABLED: Flag(false, 'a switch'),
  REQUIRED_URL: Type.String({ format: 'uri' }),
});

test('defaults and coercion', () => {
  const config = loadConfig('svc', Schema, { REQUIRED_URL: 'http://x', PERCENT: '25', ENABLED: 'true' });
  assert.equal(config.PORT, 8080);
  assert.equal(config.LOG_LEVEL, 'info');
  assert.equal(config.PERCENT, 25);
  assert.equal(config.ENABLED, true);
  assert.equal(config.DB_CONNECTION_STRING, undefined);
});

test('every problem is reported at once', () => {
  try {
    loadConfig('svc', Schema, { PORT: 'eighty', PERCENT: '150', LOG_LEVEL: 'loud', ENABLED: 'maybe' });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.message;
    for (const key of ['PORT', 'PERCENT', 'LOG_LEVEL', 'ENABLED', 'REQUIRED_URL']) assert.match(text, new RegExp(key));
    assert.match(text, /Invalid configuration for svc/);
    assert.ok(error.problems.length >= 5);
  }
});

test('aliases fill in the canonical name, which wins when both are set', () => {
  const aliases = { aliases: { DATABASE_URL: 'DB_CONNECTION_STRING' } };
  const viaAlias = loadConfig('svc', Schema, { REQUIRED_URL: 'http://x', DATABASE_URL: 'postgres://a/b' }, aliases);
  assert.equal(viaAlias.DB_CONNECTION_STRING, 'postgres://a/b');
  const both = loadConfig('svc', Schema, { REQUIRED_URL: 'http://x', DATABASE_URL: 'postgres://a/b', DB_CONNECTION_STRING: 'postgres://c/d' }, aliases);
  assert.equal(both.DB_CONNECTION_STRING, 'postgres://c/d');
});

test('empty strings count as unset', () => {
  const config = loadConfig('svc', Schema, { REQUIRED_URL: 'http://x', PORT: '' });
  assert.equal(config.PORT, 8080);
});
