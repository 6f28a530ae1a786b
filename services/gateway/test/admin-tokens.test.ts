import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticate, generatedOperatorToken, parseAdminTokens } from '../src/admin/tokens.ts';
import { embeddedAdminTokens } from '../src/admin/app.ts';
import { loadGatewayConfig } from '../src/config.ts';

const OP = 'o'.repeat(24);
const VIEW = 'v'.repeat(30);

describe('parseAdminTokens', () => {
  test('label:role:token entries, comma-separated, spaces around entries allowed', () => {
    const { tokens, problems } = parseAdminTokens(`alice:operator:${OP}, ci-bot:viewer:${VIEW}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      tokens.map((t) => [t.label, t.role]),
      [
        ['alice', 'operator'],
        ['ci-bot', 'viewer'],
      ],
    );
    assert.ok(
      tokens.every((t) => t.digest.length === 32),
      'only a digest is kept',
    );
  });

  test('unset or blank: no tokens, no problem', () => {
    assert.deepEqual(parseAdminTokens(undefined), { tokens: [], problems: [] });
    assert.deepEqual(parseAdminTokens('  '), { tokens: [], problems: [] });
  });

  test('every problem is reported, none echoes a token, and no token is kept', () => {
    const secret = 'short-secret';
    const { tokens, problems } = parseAdminTokens(
      [
        `alice:admin:${OP}`,
        `bob:viewer:${secret}`,
        'carol:operator',
        `a b:viewer:${VIEW}`,
        `alice:viewer:${'w'.repeat(24)}`,
        `dave:viewer:${OP}`,
        `eve:viewer:${'é'.repeat(24)}`,
      ].join(','),
    );
    assert.deepEqual(tokens, []);
    assert.deepEqual(problems, [
      'GATEWAY_ADMIN_TOKENS: entry 1 role must be one of viewer, operator',
      'GATEWAY_ADMIN_TOKENS: entry 2 token must be at least 24 characters',
      'GATEWAY_ADMIN_TOKENS: entry 3 must be label:role:token',
      "GATEWAY_ADMIN_TOKENS: entry 4 label must be 1-64 letters, digits, '.', '_' or '-'",
      "GATEWAY_ADMIN_TOKENS: entry 5 repeats the label 'alice'",
      "GATEWAY_ADMIN_TOKENS: entry 6 repeats another entry's token",
      "GATEWAY_ADMIN_TOKENS: entry 7 token must be printable ASCII without spaces, ':' or ','",
    ]);
    assert.ok(problems.every((p) => !p.includes(secret) && !p.includes(OP)));
  });

  test('the gateway configuration reports token problems like its other keys', () => {
    assert.throws(
      () => loadGatewayConfig({ GATEWAY_ADMIN_TOKENS: 'alice:root:x' }),
      (error: Error & { problems?: string[] }) => {
        assert.equal(error.name, 'ConfigError');
        assert.deepEqual(error.problems, [
          'GATEWAY_ADMIN_TOKENS: entry 1 role must be one of viewer, operator',
          'GATEWAY_ADMIN_TOKENS: entry 1 token must be at least 24 characters',
        ]);
        return true;
      },
    );
    const config = loadGatewayConfig({ GATEWAY_ADMIN_TOKENS: `alice:operator:${OP}` });
    assert.equal(config.GATEWAY_ADMIN_PORT, 8001);
    assert.equal(config.GATEWAY_ADMIN_HOST, undefined);
  });
});

describe('authenticate', () => {
  const { tokens } = parseAdminTokens(`alice:operator:${OP},bob:viewer:${VIEW}`);

  test('a Bearer header naming a token finds it (scheme case-insensitive)', () => {
    assert.equal(authenticate(tokens, `Bearer ${OP}`)?.label, 'alice');
    assert.equal(authenticate(tokens, `bearer ${VIEW}`)?.label, 'bob');
  });

  test('anything else finds nothing', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', `Basic ${OP}`, OP, `Bearer ${OP}x`, `Bearer ${OP.slice(1)}`, `Bearer ${OP} ${VIEW}`]) {
      assert.equal(authenticate(tokens, header), undefined, String(header));
    }
    assert.equal(authenticate([], `Bearer ${OP}`), undefined);
  });
});

test('embedded mode: the configured tokens, else a random operator token printed once', () => {
  const printed: string[] = [];
  assert.equal(
    embeddedAdminTokens(`alice:operator:${OP}`, (l) => printed.push(l)),
    `alice:operator:${OP}`,
  );
  assert.equal(printed.length, 0);
  const raw = embeddedAdminTokens(undefined, (l) => printed.push(l));
  const { tokens, problems } = parseAdminTokens(raw);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    tokens.map((t) => [t.label, t.role]),
    [['local', 'operator']],
  );
  assert.equal(printed.length, 1);
  const token = raw.split(':')[2]!;
  assert.ok(printed[0]!.includes(`CINEMAABYSS_ADMIN_TOKEN=${token}`));
  assert.notEqual(generatedOperatorToken().token, generatedOperatorToken().token);
});
