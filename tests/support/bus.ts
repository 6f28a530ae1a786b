// Which event bus the suites run on: BUS_BACKEND=embedded (in the test database) or
// BUS_BACKEND=kafka (a real broker at KAFKA_BROKERS, default scripts/kafka.sh's 127.0.0.1:9092).
// A missing broker fails loudly; nothing is skipped.
import net from 'node:net';
import { Admin } from '@platformatic/kafka';
import { openEmbeddedBus, openKafkaBus, type EventBus } from '@cinemaabyss/event-bus';
import type { Database } from '@cinemaabyss/db';

export type BusBackend = 'embedded' | 'kafka';

export function busBackend(): BusBackend {
  const value = process.env['BUS_BACKEND'] ?? 'embedded';
  if (value !== 'embedded' && value !== 'kafka') throw new Error(`BUS_BACKEND must be 'embedded' or 'kafka' (got ${value})`);
  return value;
}

export const kafkaBrokers = () => (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

async function assertReachable(address: string): Promise<void> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => socket.end(resolve));
    socket.once('error', () =>
      reject(new Error(`Kafka is not reachable at ${address}: start it with \`bash scripts/kafka.sh start\`; this suite never skips.`)),
    );
    socket.once('timeout', () => socket.destroy(new Error('timeout')));
  });
}

/** A bus for `database` on the configured back-end (the embedded bus lives in that database). */
export async function openTestBus(database: Database, clientId = 'test'): Promise<EventBus> {
  if (busBackend() === 'embedded') return openEmbeddedBus(database, { pollMs: 50 });
  await assertReachable(kafkaBrokers()[0]!);
  return openKafkaBus({ brokers: kafkaBrokers(), clientId, sendTimeoutMs: 5000 });
}

/** A bus whose broker is gone: Kafka on a port nobody listens on, or an embedded bus over a closed database. */
export async function openDeadBus(database: Database): Promise<EventBus> {
  if (busBackend() === 'embedded') {
    const bus = await openEmbeddedBus(database, { sendTimeoutMs: 2000 });
    await database.close();
    return bus;
  }
  return openKafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'dead', sendTimeoutMs: 2000 });
}

export const uniqueTopic = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * On Kafka, commits the topics' current end offsets for a new consumer group: the broker is shared
 * with earlier runs, whose records (poison ones included) are not this test's to process. The
 * embedded bus lives in the test's fresh database and has no history: nothing to do.
 */
export async function startGroupAtEnd(groupId: string, topics: string[]): Promise<void> {
  if (busBackend() !== 'kafka') return;
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: kafkaBrokers(), timeout: 10_000 });
  try {
    const metadata = await admin.metadata({ topics, forceUpdate: true });
    const ends = await admin.listOffsets({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: metadata.topics.get(name)!.partitionsCount }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })),
      })),
    });
    await admin.alterConsumerGroupOffsets({
      groupId,
      topics: ends.map((t) => ({ name: t.name, partitionOffsets: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.offset })) })),
    });
  } finally {
    await admin.close();
  }
}
