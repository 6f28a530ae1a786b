import {
  Admin,
  Consumer,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
} from '@platformatic/kafka';
import { partitionFor } from './partition.ts';
import {
  BusUnavailableError,
  type EventBus,
  type OutgoingMessage,
  type SendResult,
  type SubscribeOptions,
  type Subscription,
} from './types.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  partitions?: number;
  replicationFactor?: number;
  /** A send that the cluster has not acknowledged by then fails (the API answers 503). */
  sendTimeoutMs?: number;
  /** Most messages in one produce request; concurrent sends are batched up to this. */
  maxBatch?: number;
}

interface Pending {
  message: OutgoingMessage;
  partition: number;
  resolve: (result: SendResult) => void;
  reject: (error: Error) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Apache Kafka through @platformatic/kafka: idempotent producer, acks from all in-sync replicas. */
export async function openKafkaBus(options: KafkaBusOptions): Promise<EventBus> {
  const partitions = options.partitions ?? 3;
  const sendTimeoutMs = options.sendTimeoutMs ?? 5000;
  const maxBatch = options.maxBatch ?? 500;
  const base = { bootstrapBrokers: options.brokers, timeout: Math.min(sendTimeoutMs, 5000), retries: 2, retryDelay: 250 };
  const producer = new Producer({
    ...base,
    clientId: `${options.clientId}-producer`,
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  const admin = new Admin({ ...base, clientId: `${options.clientId}-admin` });
  const subscriptions = new Set<Subscription>();
  // Partition counts as the cluster reports them (a topic created elsewhere may have more).
  const partitionCounts = new Map<string, number>();

  async function learnPartitions(topics: string[]): Promise<void> {
    const metadata = await admin.metadata({ topics, forceUpdate: true });
    for (const [topic, info] of metadata.topics) partitionCounts.set(topic, info.partitionsCount);
  }

  // Concurrent sends are gathered into one produce request per event-loop turn: one round trip
  // to the broker acknowledges many HTTP requests, which is what makes thousands per second possible.
  let queue: Pending[] = [];
  let scheduled = false;

  async function flush(batch: Pending[]): Promise<void> {
    const sending = producer.send({
      messages: batch.map((p) => ({
        topic: p.message.topic,
        key: p.message.key,
        value: p.message.value,
        partition: p.partition,
        headers: p.message.headers ?? {},
      })),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BusUnavailableError(`Kafka did not acknowledge within ${sendTimeoutMs} ms`)), sendTimeoutMs);
    });
    try {
      const result = await Promise.race([sending, timeout]);
      // The broker answers one base offset per partition; messages follow it in the order sent.
      const next = new Map<string, number>();
      for (const o of result.offsets ?? []) next.set(`${o.topic}:${o.partition}`, Number(o.offset));
      for (const p of batch) {
        const key = `${p.message.topic}:${p.partition}`;
        const offset = next.get(key);
        if (offset === undefined) {
          p.reject(new BusUnavailableError('Kafka did not report an offset for the message'));
          continue;
        }
        next.set(key, offset + 1);
        p.resolve({ topic: p.message.topic, partition: p.partition, offset });
      }
    } catch (error) {
      const failure =
        error instanceof BusUnavailableError ? error : new BusUnavailableError('Kafka is unavailable', { cause: error });
      for (const p of batch) p.reject(failure);
      sending.catch(() => {});
    } finally {
      clearTimeout(timer);
    }
  }

  function drain(): void {
    scheduled = false;
    while (queue.length > 0) void flush(queue.splice(0, maxBatch));
  }

  async function subscribe({ groupId, topics, handler, fromBeginning = false }: SubscribeOptions): Promise<Subscription> {
    let running = true;
    let lastCommit: Promise<unknown> = Promise.resolve();
    let current: { consumer: Consumer<string, string, string, string>; stream: { close(): Promise<void> } } | undefined;

    const join = async () => {
      const consumer = new Consumer({
        ...base,
        clientId: `${options.clientId}-consumer`,
        groupId,
        deserializers: stringDeserializers,
        autocommit: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 1000,
        maxWaitTime: 200,
      });
      try {
        const stream = await consumer.consume({ topics, mode: 'committed', fallbackMode: fromBeginning ? 'earliest' : 'latest' });
        stream.on('error', () => {}); // surfaced through the iterator below
        current = { consumer, stream };
        return stream;
      } catch (error) {
        await consumer.close(true).catch(() => {});
        throw error;
      }
    };

    const consume = async (stream: Awaited<ReturnType<typeof join>>) => {
      for await (const raw of stream) {
        const message = raw as Message<string, string, string, string>;
        const delivered = {
          topic: message.topic,
          partition: message.partition,
          offset: Number(message.offset),
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(message.headers),
          timestamp: new Date(Number(message.timestamp)),
        };
        for (let attempt = 0; ; attempt++) {
          try {
            await handler(delivered);
            break;
          } catch {
            if (!running) return; // uncommitted: the next consumer gets it again
            await sleep(Math.min(100 * 2 ** attempt, 5000));
          }
        }
        // Committed only after processing. The client merges commits per partition, so waiting for
        // the latest one (at stop) covers every earlier one.
        lastCommit = Promise.resolve(message.commit()).catch(() => {});
        if (!running) return;
      }
    };

    const leave = async () => {
      const leaving = current;
      current = undefined;
      if (!leaving) return;
      await leaving.stream.close().catch(() => {});
      await lastCommit;
      await leaving.consumer.close(true).catch(() => {});
    };

    // The first join must succeed (the caller retries); after that, a lost broker means leave,
    // back off and join again: uncommitted messages are redelivered, committed ones are not.
    const first = await join();
    const loop = (async () => {
      let stream: Awaited<ReturnType<typeof join>> | undefined = first;
      for (let attempt = 0; running; ) {
        try {
          stream ??= await join();
          attempt = 0;
          await consume(stream);
        } catch {
          attempt++;
        }
        stream = undefined;
        await leave();
        if (running) await sleep(Math.min(250 * 2 ** attempt, 5000));
      }
    })();
    const subscription: Subscription = {
      async stop() {
        running = false;
        await current?.stream.close().catch(() => {});
        await loop;
        await leave();
        subscriptions.delete(subscription);
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    kind: 'kafka',
    async ensureTopics(topics) {
      const metadata = await admin.metadata({ topics: [] }).catch(() => undefined);
      const existing = new Set(metadata ? [...metadata.topics.keys()] : []);
      const missing = topics.filter((t) => !existing.has(t));
      try {
        if (missing.length > 0)
        await admin.createTopics({ topics: missing, partitions, replicas: options.replicationFactor ?? 1 });
      } catch (error) {
        // Another replica created them first.
        if (!/already exists/i.test(String((error as Error).message) + JSON.stringify((error as { errors?: unknown }).errors ?? ''))) throw error;
      }
      await learnPartitions(topics);
    },
    send(message) {
      return new Promise<SendResult>((resolve, reject) => {
        queue.push({ message, partition: partitionFor(message.key, partitionCounts.get(message.topic) ?? partitions), resolve, reject });
        if (queue.length >= maxBatch) drain();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(drain);
        }
      });
    },
    subscribe,
    async ping() {
      await admin.metadata({ topics: [], forceUpdate: true });
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await producer.close().catch(() => {});
      await admin.close().catch(() => {});
    },
  };
}
