import { Consumer, ListOffsetTimestamps, stringDeserializers, type Message, type MessagesStream } from '@platformatic/kafka';
import type { Delivery } from './delivery.ts';
import type { BusMessage, SubscribeOptions, Subscription } from './types.ts';

/** Where and how to reach the cluster; shared by the producer, the admin client and consumers. */
export interface KafkaConnection {
  bootstrapBrokers: string[];
  clientId: string;
  timeout: number;
  retries: number;
  retryDelay: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Stream = MessagesStream<string, string, string, string>;
type KafkaMessage = Message<string, string, string, string>;

/** How often partition ends are asked for (consumer lag). */
const LAG_INTERVAL_MS = 5000;

/**
 * Reads a stream in batches: everything the client has fetched so far (at least one message, at
 * most `max`), or undefined once the stream is over. The 'readable' listener stays attached for
 * the stream's life: the client fetches only while someone listens (readableFlowing not null).
 */
function batchReader(stream: Stream): (max: number) => Promise<KafkaMessage[] | undefined> {
  let wake: (() => void) | undefined;
  const signal = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  stream.on('readable', signal).on('end', signal).on('close', signal).on('error', signal);
  return async (max) => {
    for (;;) {
      const batch: KafkaMessage[] = [];
      for (let m: KafkaMessage | null; batch.length < max && (m = stream.read() as KafkaMessage | null) !== null; ) batch.push(m);
      if (batch.length > 0) return batch;
      if (stream.errored) throw stream.errored;
      if (stream.readableEnded || stream.destroyed) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
}

/** A fetched batch split by partition, each in offset order (with the client's messages, to commit). */
function byPartition(batch: KafkaMessage[]): { raw: KafkaMessage[]; messages: BusMessage[] }[] {
  const groups = new Map<string, { raw: KafkaMessage[]; messages: BusMessage[] }>();
  for (const message of batch) {
    const key = `${message.topic}:${message.partition}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { raw: [], messages: [] }));
    group.raw.push(message);
    group.messages.push({
      topic: message.topic,
      partition: message.partition,
      offset: Number(message.offset),
      // Another producer may leave them out (null): read as empty, so the record can still be dead-lettered.
      key: message.key ?? '',
      value: message.value ?? '',
      headers: Object.fromEntries(message.headers),
      timestamp: new Date(Number(message.timestamp)),
    });
  }
  return [...groups.values()];
}

/**
 * A consumer-group member that hands each fetched batch to `delivery`, partition by partition
 * (side by side), and commits after processing. The first join must succeed (the caller retries); after that, a lost
 * broker means leave, back off and join again: uncommitted messages are redelivered, committed ones are not.
 */
export async function kafkaSubscription(
  connection: KafkaConnection,
  { groupId, topics, fromBeginning = false }: SubscribeOptions,
  delivery: Delivery,
): Promise<Subscription> {
  let lastCommit: Promise<unknown> = Promise.resolve();
  const commits = new Set<Promise<unknown>>();
  let current: { consumer: Consumer<string, string, string, string>; stream: Stream } | undefined;

  // Partition ends, and where the group stands on partitions it has not been handed a record of
  // yet (afterwards, what it processed is fresher), for lag. A failure here is the broker's and shows elsewhere.
  const trackLag = async (consumer: Consumer<string, string, string, string>) => {
    const assigned = consumer.assignments ?? [];
    const [ends, earliest, committed] = await Promise.all([
      consumer.listOffsets({ topics }),
      consumer.listOffsets({ topics, timestamp: ListOffsetTimestamps.EARLIEST }),
      assigned.length > 0 ? consumer.listCommittedOffsets({ topics: assigned }) : new Map<string, bigint[]>(),
    ]);
    const known = new Set(
      delivery
        .status()
        .filter((s) => s.position !== undefined)
        .map((s) => `${s.topic}:${s.partition}`),
    );
    for (const [topic, offsets] of ends) {
      for (const [partition, end] of offsets.entries()) delivery.track(topic, partition, { end: Number(end) });
    }
    for (const { topic, partitions } of assigned) {
      for (const partition of partitions.filter((p) => !known.has(`${topic}:${p}`))) {
        const at = committed.get(topic)?.[partition] ?? -1n;
        const start = at >= 0n ? at : (fromBeginning ? earliest : ends).get(topic)?.[partition];
        if (start !== undefined) delivery.track(topic, partition, { position: Number(start) });
      }
    }
  };
  const join = async () => {
    const consumer = new Consumer({
      ...connection,
      clientId: `${connection.clientId}-consumer`,
      groupId,
      deserializers: stringDeserializers,
      autocommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTime: 200,
    });
    try {
      const stream = await consumer.consume({ topics, mode: 'committed', fallbackMode: fromBeginning ? 'earliest' : 'latest' });
      current = { consumer, stream };
      trackLag(consumer).catch(() => {});
      return stream;
    } catch (error) {
      await consumer.close(true).catch(() => {});
      throw error;
    }
  };

  /** One partition's share of a fetch, in chunks of at most maxBatch; commits what is done. False when stopping midway. */
  const deliverPartition = async ({ raw, messages }: { raw: KafkaMessage[]; messages: BusMessage[] }): Promise<boolean> => {
    for (let start = 0; start < messages.length; start += delivery.policy.maxBatch) {
      const chunk = messages.slice(start, start + delivery.policy.maxBatch);
      const done = await delivery.deliver(chunk);
      // Committed only after processing. The client merges commits per partition, so waiting for
      // the latest ones (at stop) covers every earlier one.
      if (done > 0) commits.add(Promise.resolve(raw[start + done - 1]!.commit()).catch(() => {}));
      if (done < chunk.length) return false; // stopping: the rest stays uncommitted and is redelivered
    }
    return true;
  };

  const consume = async (stream: Stream) => {
    const nextBatch = batchReader(stream);
    // Partitions are independent (order is per partition): their shares of a fetch are processed side by side.
    for (let batch: Awaited<ReturnType<typeof nextBatch>>; (batch = await nextBatch(delivery.policy.maxBatch * 4)); ) {
      commits.clear();
      const finished = await Promise.all(byPartition(batch).map(deliverPartition));
      lastCommit = Promise.all(commits);
      if (!finished.every(Boolean) || !delivery.running) return;
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
  // A broker that has just started may not have its group coordinator loaded yet: retry the
  // first join for a while before giving up (the caller's own retry loop takes over after that).
  const first = await (async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        return await join();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  })();
  const lagTimer = setInterval(() => {
    if (current?.consumer.isActive()) trackLag(current.consumer).catch(() => {});
  }, LAG_INTERVAL_MS);
  lagTimer.unref();

  const loop = (async () => {
    let stream: Awaited<ReturnType<typeof join>> | undefined = first;
    for (let attempt = 0; delivery.running; ) {
      try {
        stream ??= await join();
        attempt = 0;
        await consume(stream);
        await delivery.pause(250);
      } catch (error) {
        await delivery.unavailable(++attempt, error);
      }
      stream = undefined;
      await leave();
    }
  })();
  const subscription: Subscription = {
    async stop() {
      delivery.stop();
      clearInterval(lagTimer);
      await current?.stream.close().catch(() => {});
      await loop;
      await leave();
    },
    status: () => delivery.status(),
  };
  return subscription;
}
