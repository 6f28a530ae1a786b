// The container images' layout without a Docker engine: each Dockerfile's deps stage
// (`npm ci --omit=dev --workspace <service>`) is replayed in a scratch copy holding exactly what
// the Dockerfile copies, and the service is started from that tree the way the image's CMD does.
// This proves the runtime needs nothing beyond production dependencies and compiled JavaScript.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'cinemaabyss-image-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const services = [
  { name: 'monolith', health: '/health', env: { PGLITE_DATA_DIR: 'memory://' } },
  { name: 'movies', health: '/api/movies/health', env: { PGLITE_DATA_DIR: 'memory://' } },
  { name: 'events', health: '/api/events/health', env: { PGLITE_DATA_DIR: 'memory://' } },
  { name: 'gateway', health: '/health', env: {} },
];

function dockerfileCopies(service: string): string[] {
  // The deps stage copies these from the build stage and the context.
  const text = readFileSync(join(root, 'services', service, 'Dockerfile'), 'utf8');
  assert.match(text, new RegExp(`npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @cinemaabyss/${service}`));
  assert.match(text, new RegExp(`node node_modules/typescript/bin/tsc -b services/${service}$`, 'm'));
  assert.ok(existsSync(join(root, 'node_modules/typescript/bin/tsc')), 'the build stage compiles with this path');
  assert.match(text, /^USER 1000:1000$/m);
  assert.match(text, /^HEALTHCHECK /m);
  assert.match(text, new RegExp(`^CMD \\["node", "services/${service}/dist/main.js"\\]$`, 'm'));
  return ['package.json', 'package-lock.json', 'packages', 'services', 'embedded/package.json'];
}

async function healthy(url: string, child: ReturnType<typeof spawn>, stderr: string[]): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr.join('')}`);
    try {
      return (await fetch(url)).status;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer from ${url}`);
}

describe('container image layout (production dependencies only)', { timeout: 600_000 }, () => {
  for (const service of services) {
    test(`${service.name}: starts from compiled JavaScript and production dependencies`, async () => {
      assert.ok(existsSync(join(root, 'services', service.name, 'dist', 'main.js')), 'run `npm run build` first');
      const dir = join(scratch, service.name);
      for (const path of dockerfileCopies(service.name)) {
        cpSync(join(root, path), join(dir, path), { recursive: true, filter: (src) => !src.includes('node_modules') });
      }
      const install = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--workspace', `@cinemaabyss/${service.name}`], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 300_000,
      });
      assert.equal(install.status, 0, install.stderr);
      for (const devOnly of ['typescript', 'drizzle-kit', 'autocannon', 'node']) {
        assert.ok(!existsSync(join(dir, 'node_modules', devOnly)), `${devOnly} is not in the image`);
      }
      const port = 20_000 + Math.floor(Math.random() * 10_000);
      const child = spawn(process.execPath, [`services/${service.name}/dist/main.js`], {
        cwd: dir,
        env: { PATH: process.env['PATH'], NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...service.env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const stderr: string[] = [];
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
      try {
        assert.equal(await healthy(`http://127.0.0.1:${port}${service.health}`, child, stderr), 200);
      } finally {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
      }
      assert.equal(child.exitCode ?? 0, 0, 'clean exit on SIGTERM');
    });
  }
});
