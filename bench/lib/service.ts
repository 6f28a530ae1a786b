import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { onCleanup } from './cleanup.ts';
import { freePort, repoRoot } from './procs.ts';

export interface Service {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

const SERVICES = {
  movies: { script: 'services/movies/src/main.ts', readyPath: '/api/movies/ready' },
  monolith: { script: 'services/monolith/src/main.ts', readyPath: '/ready' },
};

/** The movies service as a child process (see startService). */
export const startMovies = (dbEnv: Record<string, string>, timeoutMs?: number) => startService('movies', dbEnv, timeoutMs);

/**
 * Starts a service as a child process: it gets its own event loop (and core), so the load
 * generator in this process does not slow it down. Resolves once it answers readiness.
 */
export async function startService(name: keyof typeof SERVICES, dbEnv: Record<string, string>, timeoutMs = 30_000): Promise<Service> {
  const { script, readyPath } = SERVICES[name];
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only the database chosen here: an inherited DB_CONNECTION_STRING would turn PGlite runs into PostgreSQL.
  for (const key of ['DB_CONNECTION_STRING', 'DATABASE_URL', 'PGLITE_DATA_DIR', 'DB_AUTO_MIGRATE']) delete env[key];
  Object.assign(env, dbEnv, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production' });

  const child = spawn(process.execPath, ['--conditions=source', script], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    process.stderr.write(chunk);
  });
  const exited = once(child, 'exit');
  const stop = onCleanup(`stop ${name} (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${name} exited with code ${child.exitCode} before it was ready:\n${stderr}`);
    }
    const ready = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${name} not ready after ${timeoutMs / 1000} s:\n${stderr}`);
}
