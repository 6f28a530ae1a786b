// The services as separate processes, each from its sources on a free port (PORT=0), the way
// scripts/distributed.sh runs them from their build: a test can stop one for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../support/events-stack.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type ServiceName = 'monolith' | 'movies' | 'events' | 'gateway';

export interface ServiceProcess {
  name: ServiceName;
  /** Where it listens, from its "listening" log line. */
  url: string;
  /** Its output, for a failing assertion's message. */
  output: string[];
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export async function startService(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=source', `services/${name}/src/main.ts`], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let url: string | undefined;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (url) return;
      try {
        url = (JSON.parse(line) as { url?: string }).url;
      } catch {
        // not a JSON log line (a start-up error): kept in output
      }
    });
  }
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.join('\n')}`);
        return url !== undefined;
      },
      60_000,
      `${name} to listen`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, url: url!, output, stop };
}
