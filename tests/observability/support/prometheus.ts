// A real Prometheus (Debian's `prometheus` package) on a free port with a temporary data folder.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../support/events-stack.ts';
import { freePort } from '../../support/ports.ts';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

export interface RuleGroup {
  name: string;
  rules: Array<{ name: string; health: string; lastError?: string; type: 'recording' | 'alerting' }>;
}

export interface Prometheus {
  url: string;
  query(expr: string): Promise<Sample[]>;
  alerts(): Promise<Alert[]>;
  rules(): Promise<RuleGroup[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus on `config` (a JSON object: YAML's superset) and waits until it is ready. */
export async function startPrometheus(config: object, files: Record<string, object> = {}): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'cinemaabyss-prometheus-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(content));
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new Error(`cannot run prometheus (apt-get install prometheus): ${e.message}`)));
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  };
  try {
    await spawned;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${log.join('')}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
      },
      60_000,
      'Prometheus to be ready',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    query: async (expr) => (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    alerts: async () => (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts,
    rules: async () => (await api<{ groups: RuleGroup[] }>('/api/v1/rules')).groups,
    stop,
  };
}
