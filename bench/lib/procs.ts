import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A port free on loopback right now (the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the child's stdout goes: a file path, or 'ignore' (default) / 'inherit'. */
  stdout?: string;
  /** GET answered 200 once the child is ready. */
  readyUrl: string;
  timeoutMs?: number;
  /** Signal for a graceful stop (SIGTERM); SIGKILL follows after `killAfterMs`. */
  stopSignal?: NodeJS.Signals;
  killAfterMs?: number;
}

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  stop: () => Promise<void>;
}

/**
 * Starts a child process, registers its stop with the clean-up (so it ends on error and Ctrl-C
 * too), and resolves once `readyUrl` answers 200. Its stderr is kept (last 4 kB) for the error.
 */
export async function startChild(spec: ChildSpec): Promise<Child> {
  const out = spec.stdout && spec.stdout !== 'ignore' && spec.stdout !== 'inherit' ? openSync(spec.stdout, 'a') : undefined;
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd ?? repoRoot,
    env: spec.env ?? process.env,
    stdio: ['ignore', out ?? (spec.stdout === 'inherit' ? 'inherit' : 'ignore'), 'pipe'],
  });
  if (out !== undefined) closeSync(out);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = once(child, 'exit').catch(() => undefined);
  const spawnError = once(child, 'error').then(([error]) => error as Error);
  const stop = onCleanup(`stop ${spec.name} (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill(spec.stopSignal ?? 'SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), spec.killAfterMs ?? 10_000);
    await exited;
    clearTimeout(killer);
  });

  const timeoutMs = spec.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let failure: Error | undefined;
  void spawnError.then((error) => (failure = error));
  while (Date.now() < deadline) {
    if (failure) {
      await stop();
      throw new Error(`${spec.name} could not start: ${failure.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr}`);
    }
    const ready = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      },
      () => false,
    );
    if (ready) return { name: spec.name, pid: child.pid!, process: child, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`${spec.name} not ready after ${timeoutMs / 1000} s:\n${stderr}`);
}

/** A repository service (`services/<name>/src/main.ts`) as a child process on a free loopback port. */
export async function startNodeService(
  name: string,
  readyPath: string,
  env: Record<string, string>,
  options: { stdout?: string; nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<Child & { url: string }> {
  const port = await freePort();
  const base: NodeJS.ProcessEnv = { ...process.env };
  // Only what the benchmark sets: inherited service settings would change what is measured.
  for (const key of Object.keys(base)) {
    if (/^(DB_|DATABASE_URL|PGLITE_|KAFKA_|EVENTS_|GATEWAY_|MONOLITH_URL|MOVIES_|GRADUAL_MIGRATION|MIGRATION_MODE|LOG_LEVEL|PORT$|HOST$)/.test(key)) {
      delete base[key];
    }
  }
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name: `${name} service`,
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), '--conditions=source', `services/${name}/src/main.ts`],
    env: { ...base, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    readyUrl: `${url}${readyPath}`,
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { ...child, url };
}

/** A bench script (e.g. bench/lib/trivial-upstream.ts) as a child on a free port (PORT), ready once `readyPath` answers. */
export async function startNodeScript(name: string, script: string, env: Record<string, string>, readyPath: string): Promise<Child & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name,
    command: process.execPath,
    args: ['--conditions=source', script],
    env: { ...process.env, NODE_ENV: 'production', ...env, PORT: String(port) },
    readyUrl: `${url}${readyPath}`,
  });
  return { ...child, url };
}
