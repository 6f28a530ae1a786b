// `npm start` end to end: starts, serves, and a Ctrl-C (SIGINT) loses no acknowledged write.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

function start(): Promise<Running> {
  const child = spawn(process.execPath, ['--conditions=source', 'embedded/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'],
      PGLITE_DATA_DIR: dataDir,
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
    // Two PGlite databases (the monolith's and the movies service's own) start on a shared CI machine.
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
