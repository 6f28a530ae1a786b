import { Consumer, stringDeserializers, type Message } from '@platformatic/kafka';
import type { SubscribeOptions, Subscription } from './types.ts';

/** Where and how to reach the cluster; shared by the producer, the admin client and consumers. */
export interface KafkaConnection {
  bootstrapBrokers: string[];
  clientId: string;
  timeout: number;
  retries: number;
  retryDelay: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A consumer-group member that processes one message at a time and commits after processing.
 * The first join must succeed (the caller retries); after that, a lost broker means leave, back
 * off and join again: uncommitted messages are redelivered, committed ones are not.
 */
export async function kafkaSubscription(
  connection: KafkaConnection,
  { groupId, topics, handler, fromBeginning = false }: SubscribeOptions,
): Promise<Subscription> {
  let running = true;
  let lastCommit: Promise<unknown> = Promise.resolve();
  let current: { consumer: Consumer<string, string, string, string>; stream: { close(): Promise<void> } } | undefined;

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
    },
  };
  return subscription;
}
