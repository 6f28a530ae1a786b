// The admin API over a real server: auth (401/403), validation (400), unknown routes (404),
// persistent version conflicts (409) change nothing and write no audit entry; an operator's change
// shows in GET and in the audit log under the token's label.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryPlane, TOKENS, adminForEachTest, call, movies, startAdmin } from './support.ts';

const admin = adminForEachTest();

const JSON_TYPE = 'application/json; charset=utf-8';
const unchanged = () => {
  assert.deepEqual(admin().plane.get('movies'), movies(), 'the state is unchanged');
  assert.equal(admin().plane.entries.length, 0, 'no audit entry');
};

describe('authentication', () => {
  const reads = ['/admin/routes', '/admin/routes/movies', '/admin/audit', '/admin/routes/movies/shadow', '/admin/routes/movies/analysis'];
  for (const path of reads) {
    test(`GET ${path}: 401 with a Bearer challenge without a token, or with a wrong or malformed one`, async () => {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: `Bearer ${TOKENS.alice}x` },
        { authorization: `Basic ${TOKENS.alice}` },
        { authorization: 'Bearer' },
        { authorization: TOKENS.alice },
      ]) {
        const res = await call(admin().url, 'GET', path, { headers });
        assert.equal(res.status, 401, JSON.stringify(headers));
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal(res.headers.get('content-type'), JSON_TYPE);
        assert.equal(res.json.error, 'a valid bearer token is required');
      }
      assert.equal((await call(admin().url, 'GET', path, { token: TOKENS.viewer })).status, 200, 'a viewer reads');
      assert.equal((await call(admin().url, 'GET', path, { token: TOKENS.alice })).status, 200, 'an operator reads');
    });
  }

  test('every change is 401 without a valid token and 403 for a viewer, before the body is even looked at', async () => {
    const changes: [string, string, unknown][] = [
      ['PATCH', '/admin/routes/movies', { changes: { percent: 50 }, reason: 'go' }],
      ['PATCH', '/admin/routes/movies', 'not json'],
      ...['promote', 'pause', 'resume', 'abort', 'kill', 'unkill'].map((a): [string, string, unknown] => [
        'POST',
        `/admin/routes/movies/${a}`,
        { reason: 'go' },
      ]),
    ];
    for (const [method, path, body] of changes) {
      for (const token of [undefined, 'x'.repeat(30)]) {
        const res = await call(admin().url, method, path, { token, body });
        assert.equal(res.status, 401, `${method} ${path}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
      const res = await call(admin().url, method, path, { token: TOKENS.viewer, body });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.headers.get('content-type'), JSON_TYPE);
      assert.match(res.json.error, /victor.*viewer/);
    }
    unchanged();
  });

  test('health and the OpenAPI document need no token', async () => {
    assert.deepEqual((await call(admin().url, 'GET', '/admin/health')).json, { status: true, checks: {} });
    const doc = (await call(admin().url, 'GET', '/admin/openapi.json')).json;
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/admin/routes',
      '/admin/routes/{route}',
      '/admin/routes/{route}/promote',
      '/admin/audit',
      '/admin/routes/{route}/shadow',
      '/admin/routes/{route}/analysis',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    const patch = doc.paths['/admin/routes/{route}'].patch;
    for (const status of ['200', '400', '401', '403', '404', '409']) assert.ok(patch.responses[status], `PATCH documents ${status}`);
    assert.ok(patch.requestBody.content['application/json'].schema.properties.changes.properties.shadow, 'the changes schema is MigrationChanges');
    assert.deepEqual(patch.security, [{ bearer: [] }]);
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    assert.equal(doc.paths['/admin/health'].get.security, undefined);
  });
});

describe('validation', () => {
  const invalid: [string, unknown][] = [
    ['no reason', { changes: { percent: 50 } }],
    ['empty reason', { changes: { percent: 50 }, reason: '' }],
    ['blank reason', { changes: { percent: 50 }, reason: '   ' }],
    ['reason too long', { changes: { percent: 50 }, reason: 'x'.repeat(501) }],
    ['NUL in the reason', { changes: { percent: 50 }, reason: 'a\u0000b' }],
    ['no changes', { changes: {}, reason: 'go' }],
    ['percent above 100', { changes: { percent: 101 }, reason: 'go' }],
    ['unknown field', { changes: { percent: 50, colour: 'red' }, reason: 'go' }],
    ['unknown shadow field', { changes: { shadow: { ratio: 1 } }, reason: 'go' }],
    ['one valid field, one not (validated as a whole)', { changes: { percent: 50, mode: 'sideways' }, reason: 'go' }],
    ['steps not ascending', { changes: { steps: [5, 1] }, reason: 'go' }],
    ['a canary at 0 %', { changes: { stage: 'canary', percent: 0 }, reason: 'go' }],
    ['shadow stage with traffic', { changes: { stage: 'shadow', percent: 20 }, reason: 'go' }],
  ];
  for (const [name, body] of invalid) {
    test(`PATCH with ${name}: 400 JSON, nothing changed, no audit entry`, async () => {
      const res = await call(admin().url, 'PATCH', '/admin/routes/movies', { token: TOKENS.alice, body });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.headers.get('content-type'), JSON_TYPE);
      assert.equal(typeof res.json.error, 'string');
      unchanged();
    });
  }

  test('an action without a reason, or a transition the stage machine refuses: 400, nothing changed', async () => {
    for (const body of [{}, { reason: '' }, { reason: 'go', extra: 1 }]) {
      assert.equal((await call(admin().url, 'POST', '/admin/routes/movies/pause', { token: TOKENS.alice, body })).status, 400);
    }
    admin().plane.states.set('movies', { ...movies(), stage: 'migrated', percent: 100 });
    const res = await call(admin().url, 'POST', '/admin/routes/movies/promote', { token: TOKENS.alice, body: { reason: 'further' } });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /already migrated/);
    assert.equal(admin().plane.entries.length, 0);
  });

  test('a body that is not JSON: 415, nothing changed', async () => {
    const res = await call(admin().url, 'PATCH', '/admin/routes/movies', {
      token: TOKENS.alice,
      body: 'percent=50',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 415);
    unchanged();
  });
});

describe('routes and conflicts', () => {
  test('an unknown route is 404 for reads and changes, and changes nothing', async () => {
    for (const [method, path, body] of [
      ['GET', '/admin/routes/payments', undefined],
      ['GET', '/admin/routes/payments/shadow', undefined],
      ['GET', '/admin/routes/payments/analysis', undefined],
      ['PATCH', '/admin/routes/payments', { changes: { percent: 5 }, reason: 'go' }],
      ['POST', '/admin/routes/payments/kill', { reason: 'go' }],
    ] as const) {
      const res = await call(admin().url, method, path, { token: TOKENS.alice, body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.json.error, "route 'payments' not found");
    }
    assert.equal((await call(admin().url, 'POST', '/admin/routes/movies/explode', { token: TOKENS.alice, body: { reason: 'go' } })).status, 404);
    unchanged();
  });

  test('a version conflict that persists is 409, nothing changed', async () => {
    admin().plane.conflicts = 1;
    const res = await call(admin().url, 'PATCH', '/admin/routes/movies', { token: TOKENS.alice, body: { changes: { percent: 50 }, reason: 'go' } });
    assert.equal(res.status, 409);
    assert.match(res.json.error, /changed meanwhile/);
    unchanged();
  });
});

describe('changes', () => {
  test("an operator's change answers the new state and its audit id, shows in GET and in the audit log with the label", async () => {
    const res = await call(admin().url, 'PATCH', '/admin/routes/movies', {
      token: TOKENS.alice,
      body: { changes: { percent: 25, shadow: { percent: 10, ignore: ['/updated_at'] } }, reason: 'step up' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.state.percent, 25);
    assert.equal(res.json.state.version, 1);
    assert.equal(res.json.effectivePercent, 25);
    assert.deepEqual(res.json.breakers, { monolith: 'closed', movies: 'open' });
    assert.equal(res.json.auditId, 1);

    const read = (await call(admin().url, 'GET', '/admin/routes/movies', { token: TOKENS.viewer })).json;
    assert.deepEqual(read.state, res.json.state);
    const list = (await call(admin().url, 'GET', '/admin/routes', { token: TOKENS.viewer })).json;
    assert.deepEqual(list, [read]);

    // A later partial change keeps what it does not name (defaults are not filled back in).
    await call(admin().url, 'PATCH', '/admin/routes/movies', { token: TOKENS.alice, body: { changes: { shadow: { percent: 20 } }, reason: 'more shadow' } });
    assert.deepEqual(admin().plane.get('movies')!.shadow.ignore, ['/updated_at']);

    const audit = (await call(admin().url, 'GET', '/admin/audit?route=movies', { token: TOKENS.viewer })).json;
    assert.deepEqual(
      audit.map((e: any) => [e.id, e.actor, e.action, e.reason]),
      [
        [2, { kind: 'person', label: 'alice' }, 'set', 'more shadow'],
        [1, { kind: 'person', label: 'alice' }, 'set', 'step up'],
      ],
    );
    assert.equal(audit[1].old.percent, 10);
    assert.equal(audit[1].new.percent, 25);
    assert.deepEqual(
      (await call(admin().url, 'GET', '/admin/audit?limit=1&before=2', { token: TOKENS.viewer })).json.map((e: any) => e.id),
      [1],
    );
    for (const query of ['limit=0', 'limit=1001', 'before=0', 'before=1e3', 'before=99999999999999999999']) {
      assert.equal((await call(admin().url, 'GET', `/admin/audit?${query}`, { token: TOKENS.viewer })).status, 400, query);
    }
    assert.equal((await call(admin().url, 'GET', '/admin/audit?route=a%00b', { token: TOKENS.viewer })).status, 400);
  });

  test('each action goes through the stage machine and is audited under its name', async () => {
    const steps: [string, (s: any) => void][] = [
      ['kill', (s) => assert.equal(s.killed, true)],
      ['unkill', (s) => assert.equal(s.killed, false)],
      ['pause', (s) => assert.deepEqual([s.paused, s.pausedReason], [true, 'reason pause'])],
      ['resume', (s) => assert.equal(s.paused, false)],
      ['promote', (s) => assert.deepEqual([s.stage, s.percent], ['canary', 25])],
      ['abort', (s) => assert.deepEqual([s.stage, s.percent, s.paused], ['shadow', 0, true])],
    ];
    for (const [action, check] of steps) {
      const res = await call(admin().url, 'POST', `/admin/routes/movies/${action}`, { token: TOKENS.alice, body: { reason: `reason ${action}` } });
      assert.equal(res.status, 200, `${action}: ${res.text}`);
      check(res.json.state);
    }
    assert.deepEqual(
      admin().plane.entries.map((e) => [e.action, e.actor.label, e.reason]),
      steps.map(([a]) => [a, 'alice', `reason ${a}`]),
    );
  });

  test('shadow and analysis reports are passed through', async () => {
    const shadow = (await call(admin().url, 'GET', '/admin/routes/movies/shadow', { token: TOKENS.viewer })).json;
    assert.equal(shadow.matchRate, 0.75);
    assert.deepEqual(shadow.mismatches[0].diff, [{ pointer: '/title', old: 'Alien', new: 'Aliens' }]);
    const analysis = (await call(admin().url, 'GET', '/admin/routes/movies/analysis?limit=5', { token: TOKENS.viewer })).json;
    assert.equal(analysis[0].verdict, 'fail');
    assert.deepEqual(analysis[0].checks, [{ name: 'error_rate', value: 0.2, threshold: 0.01, ok: false }]);
  });
});

test('a plane with no migrated route lists nothing', async () => {
  const empty = await startAdmin({ plane: new MemoryPlane([]) });
  try {
    assert.deepEqual((await call(empty.url, 'GET', '/admin/routes', { token: TOKENS.viewer })).json, []);
  } finally {
    await empty.close();
  }
});
