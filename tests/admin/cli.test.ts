// The operator CLI as a person or a script runs it: a child process against a real admin server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { TOKENS, adminForEachTest, movies } from './support.ts';

const CTL = resolve(import.meta.dirname, '../../services/gateway/src/cli/ctl.ts');

const admin = adminForEachTest();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ctl(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=source', CTL, ...args],
      { env: { PATH: process.env['PATH'] ?? '', CINEMAABYSS_ADMIN_URL: admin().url, CINEMAABYSS_ADMIN_TOKEN: TOKENS.alice, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** The rows of a printed table, split on its column gaps. */
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/ {2,}/));

describe('tables', () => {
  test('status: one aligned row per route with stage, split, effective %, paused/killed, shadow %, match rate, last change', async () => {
    const fresh = await ctl(['status']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.deepEqual(rows(fresh.stdout), [
      ['ROUTE', 'STAGE', 'SPLIT', 'NEW %', 'PAUSED', 'KILLED', 'SHADOW', 'MATCH', 'LAST CHANGE'],
      ['movies', 'canary', 'monolith -> movies (sticky)', '10%', 'no', 'no', '0%', '75.0%', '- (starting state)'],
    ]);
    const lines = fresh.stdout.trim().split('\n');
    assert.equal(lines[0]!.indexOf('STAGE'), lines[1]!.indexOf('canary'), 'columns are aligned');

    assert.equal((await ctl(['kill', 'movies', '--reason', 'errors spiking'])).code, 0);
    const killed = rows((await ctl(['status'])).stdout)[1]!;
    assert.deepEqual(killed.slice(0, 7), ['movies', 'canary', 'monolith -> movies (sticky)', '0%', 'no', 'yes', '0%']);
    assert.match(killed[8]!, /^\d{4}-\d\d-\d\d \d\d:\d\d alice kill: errors spiking$/);
  });

  test('set: the change, its audit id and what changed; audit lists it with the label', async () => {
    const set = await ctl(['set', 'movies', '--percent', '25', '--shadow-percent', '10', '--shadow-ignore', '/a,/b', '--reason', 'step up']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      set.stdout,
      'movies: set done (audit #1), now canary at 25% to movies\n  percent 10 -> 25, shadow.percent 0 -> 10, shadow.ignore [] -> ["/a","/b"]\n',
    );
    assert.deepEqual(admin().plane.get('movies')!.shadow.ignore, ['/a', '/b']);

    const audit = await ctl(['audit', '--route', 'movies']);
    assert.equal(audit.code, 0);
    const [head, row] = rows(audit.stdout);
    assert.deepEqual(head, ['ID', 'AT', 'ACTOR', 'ROUTE', 'ACTION', 'CHANGE', 'REASON']);
    assert.deepEqual([row![0], row![2], row![3], row![4], row![6]], ['1', 'alice', 'movies', 'set', 'step up']);
  });

  test('shadow and analysis: match rates, mismatches with their diff, windows with their checks', async () => {
    const shadow = await ctl(['shadow', 'movies']);
    assert.equal(shadow.code, 0);
    assert.match(shadow.stdout, /^Shadow comparison of movies: match rate 75\.0%/);
    assert.match(shadow.stdout, /GET \/api\/movies id {2}4 +3 +1 /);
    assert.match(shadow.stdout, /\/title: Alien -> Aliens/);
    const analysis = await ctl(['analysis', 'movies']);
    assert.equal(analysis.code, 0);
    assert.match(analysis.stdout, /fail +- +0\.200 \(max 0\.01\) FAIL/);
  });

  test('--json prints the API answer as JSON, for scripts', async () => {
    const get = await ctl(['get', 'movies', '--json']);
    assert.equal(get.code, 0);
    assert.deepEqual(JSON.parse(get.stdout).state, movies());
    const promote = JSON.parse((await ctl(['promote', 'movies', '--reason', 'healthy', '--json'])).stdout);
    assert.deepEqual([promote.state.percent, promote.auditId], [25, 1]);
    const status = JSON.parse((await ctl(['status', '--json'])).stdout);
    assert.equal(status[0].matchRate, 0.75);
    assert.equal(status[0].lastChange.reason, 'healthy');
  });
});

describe('exit codes', () => {
  test('1: refused by the gateway (invalid value, unknown route, impossible transition), nothing changed', async () => {
    for (const args of [
      ['set', 'movies', '--percent', '101', '--reason', 'x'],
      ['set', 'movies', '--stage', 'shadow', '--percent', '20', '--reason', 'x'],
      ['get', 'payments'],
      ['pause', 'payments', '--reason', 'x'],
    ]) {
      const run = await ctl(args);
      assert.equal(run.code, 1, args.join(' '));
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^error: .+ \(HTTP (400|404)\)\n$/);
    }
    assert.equal(admin().plane.entries.length, 0);
  });

  test('2: usage (unknown command or flag, missing route or reason, a flag that is not a number)', async () => {
    for (const args of [
      ['bogus'],
      ['status', '--bogus'],
      ['get'],
      ['set', 'movies', '--percent', '5'],
      ['set', 'movies', '--reason', 'x'],
      ['set', 'movies', '--percent', 'ten', '--reason', 'x'],
      ['promote', 'movies'],
      ['status', 'movies'],
      ['kill', 'movies', '--percent', '5', '--reason', 'x'],
    ]) {
      const run = await ctl(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^error: .*\(npm run ctl -- help/);
    }
    const help = await ctl(['help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 unauthorised or forbidden, 4 admin API unreachable/);
    assert.equal(admin().plane.entries.length, 0);
  });

  test('3: no token, a wrong one, or a viewer asking for a change; a viewer still reads', async () => {
    const none = await ctl(['status'], { CINEMAABYSS_ADMIN_TOKEN: '' });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /CINEMAABYSS_ADMIN_TOKEN/);
    assert.equal((await ctl(['status', '--token', 'not-a-token-at-all-0123456789'])).code, 3);
    const viewer = await ctl(['kill', 'movies', '--reason', 'x'], { CINEMAABYSS_ADMIN_TOKEN: TOKENS.viewer });
    assert.equal(viewer.code, 3);
    assert.match(viewer.stderr, /victor/);
    assert.equal((await ctl(['status'], { CINEMAABYSS_ADMIN_TOKEN: TOKENS.viewer })).code, 0);
    assert.equal(admin().plane.entries.length, 0);
    assert.equal(admin().plane.get('movies')!.killed, false);
  });

  test('4: the admin API is unreachable', async () => {
    const run = await ctl(['status', '--url', `http://127.0.0.1:${await closedPort()}`]);
    assert.equal(run.code, 4);
    assert.match(run.stderr, /admin API unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});
