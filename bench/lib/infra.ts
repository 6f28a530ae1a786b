import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import { onCleanup } from './cleanup.ts';
import { repoRoot } from './procs.ts';

// PostgreSQL and Kafka as the repository's scripts run them. The benchmark uses whatever is
// running; what it had to start, it stops again at the end (the state it found is the state it leaves).

const run = promisify(execFile);

async function script(name: 'postgres' | 'kafka', ...args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', [`scripts/${name}.sh`, ...args], { cwd: repoRoot, timeout: 300_000 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

/** Starts PostgreSQL or Kafka through its script unless it runs already; returns whether it started it. */
export async function ensureRunning(name: 'postgres' | 'kafka', log: (m: string) => void): Promise<boolean> {
  if ((await script(name, 'status')).ok) return false;
  log(`${name} is not running: starting it with scripts/${name}.sh (stopped again at the end)`);
  const started = await script(name, 'start');
  if (!started.ok) throw new Error(`scripts/${name}.sh start failed:\n${started.stderr.slice(-2000)}`);
  onCleanup(`stop ${name} (started by the benchmark)`, async () => {
    const stopped = await script(name, 'stop');
    if (!stopped.ok) throw new Error(stopped.stderr.slice(-500));
  });
  return true;
}

export const KAFKA_BROKERS = process.env['BENCH_KAFKA_BROKERS'] ?? '127.0.0.1:9092';

/** PID of the broker started by scripts/kafka.sh (for CPU accounting; KAFKA_RUN_DIR as the script reads it), if any. */
export function kafkaPid(): number | undefined {
  try {
    const pid = Number(readFileSync(`${process.env['KAFKA_RUN_DIR'] ?? `${repoRoot}.run/kafka`}/kafka.pid`, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The broker's version as scripts/kafka.sh runs it (from the jar folder on its command line). */
export function kafkaVersion(): string {
  const pid = kafkaPid();
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /\.cache\/kafka\/([^/]+)\//.exec(cmdline)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function kafkaAdmin(): Admin {
  return new Admin({ clientId: 'cinemaabyss-bench', bootstrapBrokers: KAFKA_BROKERS.split(','), timeout: 10_000 });
}

export type Watermarks = Map<string, Map<number, bigint>>;

/** The end offset (next offset to be written) of every partition of the topics that exist. */
export async function highWatermarks(admin: Admin, topics: readonly string[]): Promise<Watermarks> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  const marks: Watermarks = new Map();
  if (present.length === 0) return marks;
  const metadata = await admin.metadata({ topics: present, forceUpdate: true });
  const listed = await admin.listOffsets({
    topics: present.map((name) => ({
      name,
      partitions: Array.from({ length: metadata.topics.get(name)!.partitionsCount }, (_, partitionIndex) => ({
        partitionIndex,
        timestamp: ListOffsetTimestamps.LATEST,
      })),
    })),
  });
  for (const topic of listed) marks.set(topic.name, new Map(topic.partitions.map((p) => [p.partitionIndex, p.offset])));
  return marks;
}

/**
 * Commits the current end offsets for a new consumer group, so the service's consumer (which
 * falls back to the earliest offset only without a commit) starts at the end of the topics
 * instead of working through every event other runs left there.
 */
export async function startGroupAtEnd(admin: Admin, groupId: string, marks: Watermarks): Promise<void> {
  if (marks.size === 0) return;
  await admin.alterConsumerGroupOffsets({
    groupId,
    topics: [...marks].map(([name, parts]) => ({
      name,
      partitionOffsets: [...parts].map(([partition, offset]) => ({ partition, offset })),
    })),
  });
}

export async function deleteGroup(admin: Admin, groupId: string): Promise<void> {
  await admin.deleteGroups({ groups: [groupId] });
}

/** Deletes every record below the given offsets (Kafka can only truncate a partition from its start). */
export async function truncateTopics(admin: Admin, marks: Watermarks): Promise<void> {
  if (marks.size === 0) return;
  await admin.deleteRecords({
    topics: [...marks].map(([name, parts]) => ({
      name,
      partitions: [...parts].map(([partition, offset]) => ({ partition, offset })),
    })),
  });
}

/** Total of the differences between two sets of end offsets. */
export function recordsBetween(before: Watermarks, after: Watermarks): number {
  let n = 0n;
  for (const [topic, parts] of after) {
    for (const [partition, offset] of parts) n += offset - (before.get(topic)?.get(partition) ?? 0n);
  }
  return Number(n);
}
