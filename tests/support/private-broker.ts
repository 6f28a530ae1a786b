// A Kafka broker of a test's own, on free loopback ports (scripts/kafka.sh), that the test may stop
// and start; the shared broker (KAFKA_BROKERS) is never touched. KAFKA_BROKERS is pointed at it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface PrivateBroker {
  stop(): void;
  start(): void;
  /** Stops it for good and removes its data. */
  remove(): void;
}

export async function startPrivateBroker(name: string): Promise<PrivateBroker> {
  const [port, controller] = [await freePort(), await freePort()];
  const runDir = mkdtempSync(join(tmpdir(), `cinemaabyss-${name}-kafka-`));
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controller),
    KAFKA_RUN_DIR: runDir,
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
  };
  const run = (action: 'start' | 'stop') => {
    const result = spawnSync('bash', ['scripts/kafka.sh', action], { cwd: root, encoding: 'utf8', timeout: 120_000, env });
    assert.equal(result.status, 0, `kafka.sh ${action}: ${result.stderr}`);
  };
  run('start');
  process.env['KAFKA_BROKERS'] = `127.0.0.1:${port}`;
  return {
    stop: () => run('stop'),
    start: () => run('start'),
    remove() {
      run('stop');
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
