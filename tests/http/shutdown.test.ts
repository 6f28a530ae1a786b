// SIGTERM under concurrent keep-alive writers, on a real child process: every request already sent
// gets its 201 or a 503 JSON answer, none meets a connection reset, the process exits 0, and every
// 201 reads back after a restart on the same database.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backend, freshDatabase } from '../support/backend.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WRITERS = 8;
const MAX_WRITES = 2_000; // per writer: bounds the test if SIGTERM were ignored
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const child of children) child.kill('SIGKILL'); // a failed assertion must not leave a server behind
  for (const cleanup of cleanups) await cleanup();
});

/** Where the child's data lives: a PGlite directory, or a fresh PostgreSQL database. */
async function databaseEnv(): Promise<Record<string, string>> {
  if (backend() === 'postgres') {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    return { DB_CONNECTION_STRING: db.url! };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cinemaabyss-shutdown-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { PGLITE_DATA_DIR: dir };
}

interface Service {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function startMonolith(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ['--conditions=source', 'services/monolith/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'], PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', OUTBOX_RELAY: 'false', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not listening after 60 s:\n${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /"url":"(http:[^"]+)"/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, exited });
      }
    });
    void exited.then((code) => reject(new Error(`exited early with ${code}:\n${out}`)));
  });
}

type Outcome = { status: number; contentType?: string; body: string } | { error: string };

function post(agent: http.Agent, url: string, body: object): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/api/users`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: text, ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}) }),
      );
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(JSON.stringify(body));
  });
}

test('SIGTERM under concurrent keep-alive writers: 201 or 503 for each, no reset, exit 0, nothing lost', { timeout: 180_000 }, async () => {
  const env = await databaseEnv();
  const first = await startMonolith(env);
  const created: string[] = [];
  const outcomes: Outcome[] = [];
  let writes = 0;
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  // Each writer keeps one keep-alive connection busy until it gets something other than a 201.
  const writer = async (w: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < MAX_WRITES; i++) {
        const username = `writer${w}_${i}`;
        const outcome = await post(agent, first.url, { username, email: `${username}@example.com` });
        if ('status' in outcome && outcome.status === 201) {
          created.push(username);
          if (++writes === WRITERS * 20) markReady();
          continue;
        }
        outcomes.push(outcome);
        return;
      }
    } finally {
      agent.destroy();
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await Promise.race([ready, Promise.all(writers)]);
  first.child.kill('SIGTERM');
  const code = await first.exited;
  await Promise.all(writers);

  assert.ok(writes >= WRITERS * 20, `writers were busy before SIGTERM (${writes} writes)`);
  assert.equal(code, 0, 'clean exit');
  assert.equal(outcomes.length, WRITERS, 'every writer ended on an answer');
  for (const outcome of outcomes) {
    assert.ok('status' in outcome, `no reset or aborted request: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.status, 503, outcome.body);
    assert.equal(outcome.contentType, 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(outcome.body), { error: 'service is shutting down' });
  }

  const second = await startMonolith(env);
  try {
    const users = (await (await fetch(`${second.url}/api/users`)).json()) as { username: string }[];
    const stored = new Set(users.map((u) => u.username));
    const lost = created.filter((username) => !stored.has(username));
    assert.deepEqual(lost, [], `every 201 reads back (${created.length} created)`);
  } finally {
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  }
});
