import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadGatewayConfig } from '../src/config.ts';
import { RouteTableError, loadRouteTable, matchRoute, tableFromEnv, tableFromFile, validateRouteTable, type RouteSpec } from '../src/routing/table.ts';

const dir = mkdtempSync(join(tmpdir(), 'gateway-table-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(raw: unknown): string[] {
  try {
    validateRouteTable(raw);
  } catch (error) {
    assert.ok(error instanceof RouteTableError, `expected RouteTableError, got ${String(error)}`);
    assert.equal(error.name, 'ConfigError');
    for (const p of error.problems) assert.ok(error.message.includes(p), 'the message lists every problem');
    return error.problems;
  }
  assert.fail('expected the table to be rejected');
}

function assertHas(problems: string[], pattern: RegExp): void {
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `no problem matches ${pattern}; got:\n  ${problems.join('\n  ')}`,
  );
}

const DEFAULT_BACKEND = {
  connectTimeoutMs: 1000,
  firstByteTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  connections: 64,
  maxConcurrent: 512,
  maxPending: 256,
  consecutiveFailures: 5,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  halfOpenProbes: 1,
  maxBodyBytes: 1024 * 1024,
};

describe('validateRouteTable', () => {
  test('shape problems are all reported in one error: bad url, bad percent, unknown fields', () => {
    const problems = problemsOf({
      backends: {
        old: { url: 'ftp://old:21', connectTimeoutMillis: 5 },
        new: { url: 'http://new:8081/path' },
      },
      routes: [
        { name: 'pay', prefix: '/api/payments', backend: 'old', migration: { to: 'new', percent: 150 } },
        { name: 'all', prefix: '/', backend: 'old', weight: 3 },
      ],
    });
    assertHas(problems, /^\/backends\/old\/url must match pattern/);
    assertHas(problems, /^\/backends\/new\/url must match pattern/);
    assertHas(problems, /^\/backends\/old has unknown field/);
    assertHas(problems, /^\/routes\/0\/migration\/percent must be <= 100/);
    assertHas(problems, /^\/routes\/1 has unknown field/);
    assert.equal(problems.length, 5);
  });

  test('reference problems are all reported in one error: unknown backend/target, duplicates, catch-all, ejection bounds', () => {
    const problems = problemsOf({
      backends: {
        old: { url: 'http://old:8080' },
        new: { url: 'http://new:8081', baseEjectionMs: 60_000, maxEjectionMs: 10_000 },
      },
      routes: [
        { name: 'pay', prefix: '/api/payments', backend: 'old', migration: { to: 'payments' } },
        { name: 'pay', prefix: '/api/users', backend: 'nowhere' },
        { name: 'get-all', prefix: '/', methods: ['GET'], backend: 'old' },
        { name: 'self', prefix: '/api/self/', backend: 'old', migration: { to: 'old' } },
      ],
    });
    assert.deepEqual(problems.sort(), [
      '/backends/new baseEjectionMs exceeds maxEjectionMs',
      "/routes needs a catch-all route (prefix '/', all methods)",
      "/routes/0 migration target 'payments' is not defined",
      "/routes/1 backend 'nowhere' is not defined",
      "/routes/1 duplicate route name 'pay'",
      '/routes/3 migration target equals its backend',
      "/routes/3 prefix must not end with '/'",
    ]);
  });

  // The docstring promises "reports every problem at once". Validation is two-phase: the reference
  // checks only run when the shape is valid, so a table with both kinds of mistakes is reported
  // in two rounds (fix the shape, re-deploy, then learn about the references).
  test('one table with all eight kinds of problem → all eight reported at once', () => {
    const problems = problemsOf({
      backends: {
        old: { url: 'http://old:8080', baseEjectionMs: 60_000, maxEjectionMs: 10_000 }, // base > max
        new: { url: 'not a url' }, // bad url
      },
      routes: [
        { name: 'pay', prefix: '/api/payments', backend: 'old', migration: { to: 'payments', percent: 101 } }, // unknown target, bad percent
        { name: 'pay', prefix: '/api/users', backend: 'nowhere' }, // duplicate name, unknown backend
        { name: 'get-all', prefix: '/', methods: ['GET'], backend: 'old', colour: 'red' }, // no catch-all, unknown field
      ],
    });
    const expected: Array<[string, RegExp]> = [
      ['unknown backend', /backend 'nowhere' is not defined/],
      ['unknown migration target', /migration target 'payments' is not defined/],
      ['duplicate names', /duplicate route name 'pay'/],
      ['no catch-all route', /catch-all/],
      ['bad percent', /percent/],
      ['bad url', /url/],
      ['base > max ejection', /baseEjectionMs exceeds maxEjectionMs/],
      ['unknown field', /has unknown field/],
    ];
    const missing = expected.filter(([, re]) => !problems.some((p) => re.test(p))).map(([what]) => what);
    assert.deepEqual(missing, [], `reported only:\n  ${problems.join('\n  ')}`);
  });

  test('defaults are filled for backends and migrations; the input is not mutated', () => {
    const raw = {
      backends: { old: { url: 'http://old:8080' }, new: { url: 'https://new.internal:8443/', maxPending: 0 } },
      routes: [
        { name: 'pay', prefix: '/api/payments', backend: 'old', migration: { to: 'new' } },
        { name: 'all', prefix: '/', backend: 'old' },
      ],
    };
    const copy = structuredClone(raw);
    const table = validateRouteTable(raw);
    assert.deepEqual(raw, copy);
    assert.deepEqual(table.backends['old'], { url: 'http://old:8080', ...DEFAULT_BACKEND });
    assert.deepEqual(table.backends['new'], { url: 'https://new.internal:8443/', ...DEFAULT_BACKEND, maxPending: 0 });
    assert.deepEqual(table.routes[0]?.migration, { to: 'new', enabled: false, percent: 0, mode: 'sticky', fallback: true });
    assert.equal(table.routes[1]?.migration, undefined);
    assert.equal(table.routes[1]?.methods, undefined);
  });

  test("body limits: a backend's defaults to the services' 1 MiB; a route may set its own; negative or fractional ones are refused", () => {
    const table = validateRouteTable({
      backends: { old: { url: 'http://old:8080' }, big: { url: 'http://big:8080', maxBodyBytes: 0 } },
      routes: [
        { name: 'uploads', prefix: '/uploads', backend: 'old', maxBodyBytes: 50 * 1024 * 1024 },
        { name: 'all', prefix: '/', backend: 'old' },
      ],
    });
    assert.equal(table.backends['old']?.maxBodyBytes, 1024 * 1024);
    assert.equal(table.backends['big']?.maxBodyBytes, 0);
    assert.equal(table.routes[0]?.maxBodyBytes, 50 * 1024 * 1024);
    assert.equal(table.routes[1]?.maxBodyBytes, undefined, 'unset: the backend decides');
    const problems = problemsOf({
      backends: { old: { url: 'http://old:8080', maxBodyBytes: -1 } },
      routes: [{ name: 'all', prefix: '/', backend: 'old', maxBodyBytes: 1.5 }],
    });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('/backends/old/maxBodyBytes')));
    assert.ok(problems.some((p) => p.startsWith('/routes/0/maxBodyBytes')));
  });

  test('a non-object or empty table is rejected, not crashed on', () => {
    for (const raw of [null, 42, 'routes', [], {}, { backends: {}, routes: [] }]) {
      assert.ok(problemsOf(raw).length > 0, JSON.stringify(raw));
    }
  });
});

describe('tableFromEnv / tableFromFile / loadRouteTable', () => {
  test('tableFromEnv: movies (monolith → movies migration), events, monolith catch-all', () => {
    const table = validateRouteTable(tableFromEnv(loadGatewayConfig({})));
    assert.deepEqual(
      table.routes.map((r) => [r.name, r.prefix, r.backend]),
      [
        ['movies', '/api/movies', 'monolith'],
        ['events', '/api/events', 'events'],
        ['monolith', '/', 'monolith'],
      ],
    );
    assert.deepEqual(Object.fromEntries(Object.entries(table.backends).map(([name, b]) => [name, b.url])), {
      monolith: 'http://localhost:8080',
      movies: 'http://localhost:8081',
      events: 'http://localhost:8082',
    });
    assert.deepEqual(table.routes[0]?.migration, { to: 'movies', enabled: false, percent: 0, mode: 'sticky', fallback: true });

    const on = validateRouteTable(
      tableFromEnv(
        loadGatewayConfig({
          GRADUAL_MIGRATION: 'true',
          MOVIES_MIGRATION_PERCENT: '30',
          MIGRATION_MODE: 'random',
          MOVIES_SERVICE_URL: 'http://movies-svc:9000',
        }),
      ),
    );
    assert.deepEqual(on.routes[0]?.migration, { to: 'movies', enabled: true, percent: 30, mode: 'random', fallback: true });
    assert.equal(on.backends['movies']?.url, 'http://movies-svc:9000');
  });

  test('tableFromFile substitutes ${VAR} from the given environment (unset → empty)', () => {
    const path = join(dir, 'table.json');
    writeFileSync(
      path,
      JSON.stringify({
        backends: { legacy: { url: '${LEGACY_URL}' }, payments: { url: 'http://${PAYMENTS_HOST}:${PAYMENTS_PORT}' } },
        routes: [
          { name: 'payments', prefix: '/api/payments', backend: 'legacy', migration: { to: 'payments', enabled: true, percent: 25 } },
          { name: 'all', prefix: '/', backend: 'legacy' },
          { name: 'note', prefix: '/x${UNSET_VAR}y', backend: 'legacy' },
        ],
      }),
    );
    const raw = tableFromFile(path, { LEGACY_URL: 'http://legacy:8080', PAYMENTS_HOST: 'payments', PAYMENTS_PORT: '8090' }) as {
      backends: Record<string, { url: string }>;
      routes: Array<{ prefix: string }>;
    };
    assert.equal(raw.backends['legacy']?.url, 'http://legacy:8080');
    assert.equal(raw.backends['payments']?.url, 'http://payments:8090');
    assert.equal(raw.routes[2]?.prefix, '/xy');

    const config = loadGatewayConfig({ GATEWAY_CONFIG: path });
    const table = loadRouteTable(config, { LEGACY_URL: 'http://legacy:8080', PAYMENTS_HOST: 'payments', PAYMENTS_PORT: '8090' });
    assert.equal(table.backends['payments']?.url, 'http://payments:8090');
    assert.equal(table.backends['payments']?.maxConcurrent, 512, 'defaults are filled for file tables too');
    assert.deepEqual(table.routes[0]?.migration, { to: 'payments', enabled: true, percent: 25, mode: 'sticky', fallback: true });
  });

  // The docstring: "`${VAR}` in string values is replaced". The replacement is done on the JSON text
  // without escaping, so a value containing `"` or `\` breaks the file (or injects JSON).
  test('tableFromFile: a substituted value containing a quote or backslash stays inside its string', () => {
    const path = join(dir, 'quoted.json');
    writeFileSync(path, '{"backends": {"a": {"url": "${A_URL}"}}, "routes": [{"name": "all", "prefix": "/", "backend": "a"}]}');
    const value = 'http://a:1/"x\\y';
    let raw: unknown;
    assert.doesNotThrow(() => {
      raw = tableFromFile(path, { A_URL: value });
    });
    assert.equal((raw as { backends: { a: { url: string } } }).backends.a.url, value);
  });

  test('loadRouteTable: without GATEWAY_CONFIG the environment form is used', () => {
    const table = loadRouteTable(loadGatewayConfig({ MONOLITH_URL: 'http://mono:1' }), {});
    assert.equal(table.backends['monolith']?.url, 'http://mono:1');
    assert.equal(table.routes.length, 3);
  });

  test('loadRouteTable: a missing or unreadable file → an error named ConfigError naming GATEWAY_CONFIG', () => {
    const missing = join(dir, 'does-not-exist.json');
    assert.throws(
      () => loadRouteTable(loadGatewayConfig({ GATEWAY_CONFIG: missing }), {}),
      (error: unknown) => {
        assert.ok(error instanceof RouteTableError);
        assert.equal(error.name, 'ConfigError');
        assert.equal(error.problems.length, 1);
        assert.match(error.problems[0] ?? '', new RegExp(`^GATEWAY_CONFIG ${missing}: .*ENOENT`));
        return true;
      },
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"backends": ');
    assert.throws(() => loadRouteTable(loadGatewayConfig({ GATEWAY_CONFIG: broken }), {}), { name: 'ConfigError', message: /GATEWAY_CONFIG .*broken\.json/ });
  });

  test('loadRouteTable: an invalid file table → ConfigError with its problems', () => {
    const path = join(dir, 'invalid.json');
    writeFileSync(path, JSON.stringify({ backends: { a: { url: 'http://a:1' } }, routes: [{ name: 'x', prefix: '/x', backend: 'a' }] }));
    assert.throws(
      () => loadRouteTable(loadGatewayConfig({ GATEWAY_CONFIG: path }), {}),
      (error: unknown) => {
        assert.ok(error instanceof RouteTableError);
        assert.deepEqual(error.problems, ["/routes needs a catch-all route (prefix '/', all methods)"]);
        return true;
      },
    );
  });
});

describe('matchRoute', () => {
  const { routes } = validateRouteTable({
    backends: { mono: { url: 'http://mono:1' }, movies: { url: 'http://movies:1' }, admin: { url: 'http://admin:1' }, events: { url: 'http://events:1' } },
    routes: [
      { name: 'all', prefix: '/', backend: 'mono' },
      { name: 'movies', prefix: '/api/movies', backend: 'movies' },
      { name: 'movies-admin', prefix: '/api/movies/admin', backend: 'admin' },
      { name: 'events-write', prefix: '/api/events', methods: ['POST', 'PUT'], backend: 'events' },
    ],
  });
  const name = (path: string, method = 'GET') => matchRoute(routes, path, method)?.name;

  test('longest matching prefix wins, whatever the table order', () => {
    assert.equal(name('/api/movies'), 'movies');
    assert.equal(name('/api/movies/42'), 'movies');
    assert.equal(name('/api/movies/admin'), 'movies-admin');
    assert.equal(name('/api/movies/admin/x/y'), 'movies-admin');
    assert.equal(name('/'), 'all');
    assert.equal(name('/api/users'), 'all');
    const reversed: RouteSpec[] = [...routes].reverse();
    assert.equal(matchRoute(reversed, '/api/movies/admin/x', 'GET')?.name, 'movies-admin');
  });

  test('prefixes match on segment boundaries only', () => {
    assert.equal(name('/api/moviesx'), 'all');
    assert.equal(name('/api/movies-old/1'), 'all');
    assert.equal(name('/api/movies/administrator'), 'movies');
    assert.equal(name('/api/movie'), 'all');
  });

  test('methods filter: a route limited to some methods is skipped for others', () => {
    assert.equal(name('/api/events', 'POST'), 'events-write');
    assert.equal(name('/api/events/1', 'PUT'), 'events-write');
    assert.equal(name('/api/events', 'GET'), 'all');
    assert.equal(name('/api/events', 'DELETE'), 'all');
    const onlyLimited = routes.filter((r) => r.name === 'events-write');
    assert.equal(matchRoute(onlyLimited, '/api/events', 'GET'), undefined);
    assert.equal(matchRoute(onlyLimited, '/other', 'POST'), undefined);
  });
});
