// `npm start` end to end: starts, serves, and a Ctrl-C (SIGINT) loses no acknowledged write; the
// movies service's own database is created by the data migration's phase 1, not by a first start.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'cinemaabyss-embedded-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL'); // a failed assertion must not leave a server behind
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  urls: Record<string, string>;
}

function start(folder = join(dataDir, 'pglite')): Promise<Running> {
  const child = spawn(process.execPath, ['--conditions=source', 'embedded/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'],
      PGLITE_DATA_DIR: folder,
      MONOLITH_PORT: '0',
      MOVIES_PORT: '0',
      EVENTS_PORT: '0',
      GATEWAY_PORT: '0',
      GATEWAY_ADMIN_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    // A PGlite database (two once the data migration has begun) starts on a shared CI machine.
    const timer = setTimeout(() => reject(new Error(`no banner in 90 s:\n${out}`)), 90_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('Ctrl-C')) return;
      clearTimeout(timer);
      const urls = Object.fromEntries([...out.matchAll(/^\s+(\w+)\s+(http:\S+)/gm)].map((m) => [m[1]!, m[2]!]));
      resolve({ child, urls });
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

test('npm start serves the sample data and keeps writes across a Ctrl-C restart', { timeout: 240_000 }, async () => {
  const first = await start();
  assert.ok(first.urls['monolith'] && first.urls['movies'], JSON.stringify(first.urls));
  const movies = await (await fetch(`${first.urls['movies']}/api/movies`)).json();
  assert.equal(movies.length, 5);
  const viaGateway = await fetch(`${first.urls['gateway']}/api/movies`);
  assert.equal(viaGateway.headers.get('x-served-by'), 'monolith');
  assert.equal((await viaGateway.json()).length, 5);
  const created = await fetch(`${first.urls['monolith']}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'persisted', email: 'persisted@example.com' }),
  });
  assert.equal(created.status, 201);
  // The user's domain event travels outbox -> relay -> embedded bus -> events consumer.
  const deadline = Date.now() + 15_000;
  let seen = false;
  while (!seen && Date.now() < deadline) {
    const recent = await (await fetch(`${first.urls['events']}/api/events/recent?topic=user-events`)).json();
    seen = recent.some((e: { payload: { username?: string } }) => e.payload.username === 'persisted');
    if (!seen) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(seen, 'user event processed by the events service');
  assert.equal(await stop(first.child), 0, 'clean exit on SIGINT');

  const second = await start();
  try {
    const users = await (await fetch(`${second.urls['monolith']}/api/users`)).json();
    assert.ok(users.some((u: { username: string }) => u.username === 'persisted'));
    assert.equal(users.length, 4, 'sample data is not inserted twice');
  } finally {
    assert.equal(await stop(second.child), 0);
  }
});

test("the movies service's own PGlite database is created at data phase 1, not by a first start", { timeout: 240_000 }, async () => {
  const folder = join(dataDir, 'phases');
  const ownFolder = `${folder}-movies`;
  const data = async (url: string, action?: 'advance' | 'back') => {
    const answer = await fetch(`${url}/admin/data${action ? `/${action}` : ''}`, {
      method: action ? 'POST' : 'GET',
      ...(action ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: `test: ${action}` }) } : {}),
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    return (await answer.json()) as { phase: number; store: string | null; blockers: string[] | null };
  };
  const first = await start(folder);
  try {
    assert.ok(existsSync(folder), 'the monolith database is created');
    assert.equal(existsSync(ownFolder), false, 'no own database before phase 1');
    const shared = await data(first.urls['movies']!);
    assert.deepEqual([shared.phase, shared.store, shared.blockers], [0, 'pglite', []], 'phase 0, nothing blocks the step that creates it');
    assert.equal((await data(first.urls['movies']!, 'advance')).phase, 1);
    assert.ok(existsSync(ownFolder), 'phase 1 created the own database');
    assert.equal((await data(first.urls['movies']!, 'back')).phase, 0, 'back to 0 with the database in place');
    assert.equal((await data(first.urls['movies']!, 'advance')).phase, 1);
    assert.equal((await (await fetch(`${first.urls['gateway']}/api/movies`)).json()).length, 5, 'still served from the monolith');
  } finally {
    assert.equal(await stop(first.child), 0, 'clean exit on SIGINT');
  }
  // An existing own database is opened at start: the phase is where it was left.
  const second = await start(folder);
  try {
    assert.equal((await data(second.urls['movies']!)).phase, 1);
  } finally {
    assert.equal(await stop(second.child), 0);
  }
});
