import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.ts';
import { childPids } from './cpu-groups.ts';
import { freePort, startChild, type Child } from './procs.ts';

const template = fileURLToPath(new URL('../nginx/nginx.conf.template', import.meta.url));

/** `nginx -v` ("nginx/1.22.1"), or undefined when nginx is not installed. */
export async function nginxVersion(): Promise<string | undefined> {
  try {
    const { stderr } = await promisify(execFile)('nginx', ['-v']);
    return /nginx\/(\S+)/.exec(stderr)?.[1];
  } catch {
    return undefined;
  }
}

export interface Nginx extends Child {
  url: string;
  workers: number;
  accessLog: boolean;
  /** Master and worker processes (workers are looked up again each time: nginx may respawn one). */
  pids: () => number[];
}

/**
 * Runs a private nginx in the foreground (`daemon off`) as a reverse proxy to `upstream`
 * (host:port) with the configuration in bench/nginx/nginx.conf.template; ready once a request
 * through it to `probePath` succeeds. Its prefix folder is removed on clean-up.
 */
// One JSON line per request, written in 64 KiB blocks at least once a second: what the gateway's
// access log does (pino, buffered asynchronous writes).
const accessLogFormat = (prefix: string) =>
  `log_format proxied escape=json '{"time":"$time_iso8601","request_id":"$request_id","method":"$request_method",` +
  `"path":"$uri","upstream":"$upstream_addr","status":$status,"ms":$request_time}';\n` +
  `    access_log ${prefix}/access.log proxied buffer=64k flush=1s;`;

export async function startNginx(upstream: string, workers: number, probePath: string, accessLog = false): Promise<Nginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'cinemaabyss-nginx-'));
  onCleanup(`remove nginx prefix ${prefix}`, () => rm(prefix, { recursive: true, force: true }));
  await chmod(prefix, 0o755);
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const fields: Record<string, string> = {
    WORKERS: String(workers),
    PREFIX: prefix,
    UPSTREAM: upstream,
    LISTEN: listen,
    ACCESSLOG: accessLog ? accessLogFormat(prefix) : 'access_log off;',
  };
  const conf = (await readFile(template, 'utf8')).replace(/\{\{([A-Z]+)\}\}/g, (_, name: string) => {
    const value = fields[name];
    if (value === undefined) throw new Error(`nginx template: unknown field ${name}`);
    return value;
  });
  const confFile = join(prefix, 'nginx.conf');
  await writeFile(confFile, conf);
  const url = `http://${listen}`;
  const child = await startChild({
    name: `nginx (${workers} worker${workers > 1 ? 's' : ''})`,
    command: 'nginx',
    args: ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', confFile, '-g', 'daemon off;'],
    readyUrl: `${url}${probePath}`,
    stopSignal: 'SIGTERM',
    timeoutMs: 20_000,
  });
  return { ...child, url, workers, accessLog, pids: () => [child.pid, ...childPids(child.pid)] };
}
