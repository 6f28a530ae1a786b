import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { kafkaSubscription, type KafkaConnection } from './kafka-consumer.ts';
import { deadLetterTopic, isDeadLetterTopic } from './dead-letter.ts';
import { Delivery } from './delivery.ts';
import { partitionFor } from './partition.ts';
import { sendTraced } from './tracing.ts';
import { BusUnavailableError, type EventBus, type OutgoingMessage, type SendResult, type SubscribeOptions, type Subscription } from './types.ts';

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
  /** When the caller stops waiting (send timeout counted from the call, queueing included). */
  deadline: number;
  message: OutgoingMessage;
  partition: number;
  resolve: (result: SendResult) => void;
  reject: (error: Error) => void;
}

/** Apache Kafka through @platformatic/kafka: idempotent producer, acks from all in-sync replicas. */
export async function openKafkaBus(options: KafkaBusOptions): Promise<EventBus> {
  const partitions = options.partitions ?? 3;
  const sendTimeoutMs = options.sendTimeoutMs ?? 5000;
  const maxBatch = options.maxBatch ?? 500;
  const connection: KafkaConnection = {
    bootstrapBrokers: options.brokers,
    clientId: options.clientId,
    timeout: Math.min(sendTimeoutMs, 5000),
    retries: 2,
    retryDelay: 250,
  };
  const producer = new Producer({
    ...connection,
    clientId: `${options.clientId}-producer`,
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  const admin = new Admin({ ...connection, clientId: `${options.clientId}-admin` });
  const subscriptions = new Set<Subscription>();
  // Partition counts as the cluster reports them (a topic created elsewhere may have more).
  const partitionCounts = new Map<string, number>();

  async function learnPartitions(topics: readonly string[]): Promise<void> {
    const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true });
    for (const [topic, info] of metadata.topics) partitionCounts.set(topic, info.partitionsCount);
  }

  // Sends are batched: while one produce request is in flight (an idempotent producer keeps one
  // per connection anyway), everything that arrives waits here and goes out in the next request.
  // One broker round trip acknowledges many HTTP requests; that is what makes thousands per second possible.
  const queue: Pending[] = [];
  let scheduled = false;
  let inFlight = false;

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
    const wait = Math.max(1, Math.min(...batch.map((p) => p.deadline)) - Date.now());
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BusUnavailableError(`Kafka did not acknowledge within ${sendTimeoutMs} ms`)), wait);
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
      const failure = error instanceof BusUnavailableError ? error : new BusUnavailableError('Kafka is unavailable', { cause: error });
      for (const p of batch) p.reject(failure);
      sending.catch(() => {});
    } finally {
      clearTimeout(timer);
    }
  }

  function drain(): void {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    void flush(queue.splice(0, maxBatch)).finally(() => {
      inFlight = false;
      drain();
    });
  }

  async function ensureTopics(topics: readonly string[]): Promise<void> {
    const metadata = await admin.metadata({ topics: [] }).catch(() => undefined);
    const existing = new Set(metadata ? [...metadata.topics.keys()] : []);
    const missing = topics.filter((t) => !existing.has(t));
    try {
      if (missing.length > 0) await admin.createTopics({ topics: missing, partitions, replicas: options.replicationFactor ?? 1 });
    } catch (error) {
      // Another replica created them first.
      if (!/already exists/i.test(String((error as Error).message) + JSON.stringify((error as { errors?: unknown }).errors ?? ''))) throw error;
    }
    await learnPartitions(topics);
  }

  function enqueue(message: OutgoingMessage): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const partition = partitionFor(message.key, partitionCounts.get(message.topic) ?? partitions);
      queue.push({ deadline: Date.now() + sendTimeoutMs, message, partition, resolve, reject });
      if (!scheduled && !inFlight) {
        scheduled = true;
        setImmediate(drain);
      }
    });
  }
  const send = (message: OutgoingMessage) => sendTraced('kafka', message, enqueue);

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    await ensureTopics(subscribeOptions.topics.filter((t) => !isDeadLetterTopic(t)).map(deadLetterTopic));
    const inner = await kafkaSubscription(connection, subscribeOptions, new Delivery(subscribeOptions, send, 'kafka'));
    const subscription: Subscription = {
      async stop() {
        await inner.stop();
        subscriptions.delete(subscription);
      },
      status: () => inner.status(),
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    kind: 'kafka',
    ensureTopics,
    send,
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
