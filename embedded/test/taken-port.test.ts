// A port that is already taken stops a service with one line naming it and the variable to change
// (exit code 1, no stack trace): each service started alone, and `npm start`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
let taken: Server;
let port: number;
before(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

/** Runs the entry point to its exit; a service that does not stop within the deadline fails the test (and is killed). */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', ...args], {
    cwd: root,
    env: { PATH: process.env['PATH'], HOST: '127.0.0.1', PGLITE_DATA_DIR: 'memory://', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 120 s:\n${stderr}`));
    }, 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const cases: [string, string[], (port: string) => Record<string, string>, (port: number) => string][] = [
  ['monolith', ['services/monolith/src/main.ts'], (p) => ({ PORT: p }), (p) => `monolith: port ${p} is taken; set PORT to a free port`],
  ['movies', ['services/movies/src/main.ts'], (p) => ({ PORT: p }), (p) => `movies: port ${p} is taken; set PORT to a free port`],
  ['events', ['services/events/src/main.ts'], (p) => ({ PORT: p }), (p) => `events: port ${p} is taken; set PORT to a free port`],
  ['gateway', ['services/gateway/src/main.ts'], (p) => ({ PORT: p }), (p) => `gateway: port ${p} is taken; set PORT to a free port`],
  [
    'gateway admin API',
    ['services/gateway/src/main.ts'],
    (p) => ({ PORT: '0', GATEWAY_ADMIN_PORT: p, GATEWAY_ADMIN_TOKENS: 'ops:operator:0123456789abcdef0123456789abcdef' }),
    (p) => `gateway-admin: port ${p} is taken; set GATEWAY_ADMIN_PORT to a free port`,
  ],
  [
    'npm start',
    ['embedded/src/main.ts', '--memory'],
    (p) => ({ MONOLITH_PORT: '0', MOVIES_PORT: p, EVENTS_PORT: '0', GATEWAY_PORT: '0', GATEWAY_ADMIN_PORT: '0' }),
    (p) => `movies: port ${p} is taken; set MOVIES_PORT to a free port`,
  ],
];

// One at a time: each start is mostly PGlite's set-up, which takes a core.
for (const [name, args, env, line] of cases) {
  test(`${name}: a taken port is one line naming the variable, exit code 1`, { timeout: 150_000 }, async () => {
    const { code, stderr } = await run(args, env(String(port)));
    assert.equal(stderr.trim(), line(port));
    assert.equal(code, 1);
  });
}
