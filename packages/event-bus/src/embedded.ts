import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import { migrate, type Database, type MigrationSet } from '@cinemaabyss/db';
import { deadLetterTopic, isDeadLetterTopic } from './dead-letter.ts';
import { Delivery } from './delivery.ts';
import { partitionFor } from './partition.ts';
import { busGroupOffsets, busMessages, busPartitions } from './schema.ts';
import { sendTraced } from './tracing.ts';
import { BusUnavailableError, type EventBus, type OutgoingMessage, type SendResult, type SubscribeOptions, type Subscription } from './types.ts';

export const embeddedBusMigrations: MigrationSet = {
  folder: fileURLToPath(new URL('../migrations', import.meta.url)),
  table: '__event_bus_migrations',
};

export interface EmbeddedBusOptions {
  partitions?: number;
  /** Longest a consumer sleeps when idle; a send in this process wakes it at once. */
  pollMs?: number;
  batchSize?: number;
  sendTimeoutMs?: number;
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BusUnavailableError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The event bus stored in the embedded database: Kafka's semantics (partitions by key hash,
 * per-partition offsets, committed group offsets, at-least-once delivery) without a broker.
 * One consumer per group, in this process: scale-out is Kafka's job.
 */
export async function openEmbeddedBus(database: Database, options: EmbeddedBusOptions = {}): Promise<EventBus> {
  const partitions = options.partitions ?? 3;
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const sendTimeoutMs = options.sendTimeoutMs ?? 5000;
  const { db } = database;
  const wake = new EventEmitter().setMaxListeners(0);
  const activeGroups = new Set<string>();
  const subscriptions = new Set<Subscription>();
  await migrate(database, embeddedBusMigrations);

  // Sends to one partition run one after another, in call order, as a Kafka producer keeps them:
  // with a connection pool, concurrent transactions would otherwise take offsets in any order.
  const tails = new Map<string, Promise<unknown>>();

  const send = (message: OutgoingMessage) => sendTraced('embedded', message, store);

  async function store(message: OutgoingMessage): Promise<SendResult> {
    const partition = partitionFor(message.key, partitions);
    const lane = `${message.topic}:${partition}`;
    const previous = tails.get(lane) ?? Promise.resolve();
    const write = previous.then(() => append(message, partition));
    const tail = write.catch(() => {});
    tails.set(lane, tail);
    void tail.then(() => tails.get(lane) === tail && tails.delete(lane));
    try {
      const result = await bounded(write, sendTimeoutMs, 'send');
      wake.emit('message');
      return result;
    } catch (error) {
      throw error instanceof BusUnavailableError ? error : new BusUnavailableError('embedded bus unavailable', { cause: error });
    }
  }

  function append(message: OutgoingMessage, partition: number): Promise<SendResult> {
    return db.transaction(async (tx) => {
      const [slot] = await tx
        .update(busPartitions)
        .set({ nextOffset: sql`${busPartitions.nextOffset} + 1` })
        .where(and(eq(busPartitions.topic, message.topic), eq(busPartitions.partition, partition)))
        .returning({ offset: sql<number>`${busPartitions.nextOffset} - 1` });
      // Like a Kafka producer asking for a topic that does not exist (yet): not ready, not a bug.
      if (!slot) throw new BusUnavailableError(`topic ${message.topic} does not exist`);
      const offset = Number(slot.offset);
      await tx.insert(busMessages).values({
        topic: message.topic,
        partition,
        offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      });
      return { topic: message.topic, partition, offset };
    });
  }

  async function subscribe(options: SubscribeOptions): Promise<Subscription> {
    const { groupId, topics, fromBeginning = false } = options;
    if (activeGroups.has(groupId)) throw new Error(`group ${groupId} already has a consumer in this process`);
    await ensureTopics(topics.filter((t) => !isDeadLetterTopic(t)).map(deadLetterTopic));
    activeGroups.add(groupId);
    const delivery = new Delivery(options, send, 'embedded');
    const assigned: { topic: string; partition: number; next: number }[] = [];
    for (const topic of topics) {
      const committed = await db
        .select()
        .from(busGroupOffsets)
        .where(and(eq(busGroupOffsets.groupId, groupId), eq(busGroupOffsets.topic, topic)));
      const ends = await db.select().from(busPartitions).where(eq(busPartitions.topic, topic));
      for (const end of ends) {
        const found = committed.find((c) => c.partition === end.partition);
        const position = found ? found.committedOffset : fromBeginning ? 0 : end.nextOffset;
        assigned.push({ topic, partition: end.partition, next: position });
        delivery.track(topic, end.partition, { position, end: end.nextOffset });
      }
    }
    let wakeUp: () => void = () => {};
    const onMessage = () => wakeUp();
    wake.on('message', onMessage);

    /** Processes up to one batch from `from`; returns the new position (commits it when it moved). */
    async function drainPartition(topic: string, partition: number, from: number): Promise<number> {
      const rows = await db
        .select()
        .from(busMessages)
        .where(and(eq(busMessages.topic, topic), eq(busMessages.partition, partition), gte(busMessages.offset, from)))
        .orderBy(asc(busMessages.offset))
        .limit(Math.min(batchSize, delivery.policy.maxBatch));
      const batch = rows.map((row) => ({ ...row, offset: Number(row.offset), timestamp: row.createdAt }));
      const done = await delivery.deliver(batch);
      const position = done > 0 ? batch[done - 1]!.offset + 1 : from;
      if (position !== from) {
        // Commit after processing: a crash before this line means redelivery, never loss.
        await db
          .insert(busGroupOffsets)
          .values({ groupId, topic, partition, committedOffset: position })
          .onConflictDoUpdate({
            target: [busGroupOffsets.groupId, busGroupOffsets.topic, busGroupOffsets.partition],
            set: { committedOffset: position, updatedAt: new Date() },
          });
      }
      return position;
    }

    /** Log ends, for lag and to skip partitions with nothing new (one query per pass over the partitions). */
    async function trackEnds(): Promise<Map<string, number>> {
      const ends = await db.select().from(busPartitions).where(inArray(busPartitions.topic, topics));
      for (const end of ends) delivery.track(end.topic, end.partition, { end: end.nextOffset });
      return new Map(ends.map((end) => [`${end.topic}:${end.partition}`, Number(end.nextOffset)]));
    }

    const loop = (async () => {
      for (let failures = 0; delivery.running; ) {
        let fetched = 0;
        let current: (typeof assigned)[number] | undefined;
        try {
          const ends = await trackEnds();
          for (current of assigned) {
            if (!delivery.running) break;
            // An idle stack would otherwise query every partition of every topic four times a second.
            if ((ends.get(`${current.topic}:${current.partition}`) ?? Number.POSITIVE_INFINITY) <= current.next) continue;
            const position = await drainPartition(current.topic, current.partition, current.next);
            if (failures > 0) delivery.recovered(current.topic, current.partition);
            fetched += position - current.next;
            current.next = position;
          }
          failures = 0;
        } catch (error) {
          // Database unavailable while fetching or committing: back off and try again; nothing was committed.
          await delivery.unavailable(++failures, error, current && { ...current, offset: current.next });
          continue;
        }
        if (fetched === 0 && delivery.running) {
          await new Promise<void>((resolve) => {
            wakeUp = resolve;
            setTimeout(resolve, pollMs);
          });
        }
      }
    })();

    const subscription: Subscription = {
      async stop() {
        delivery.stop();
        wakeUp();
        await loop;
        wake.off('message', onMessage);
        activeGroups.delete(groupId);
        subscriptions.delete(subscription);
      },
      status: () => delivery.status(),
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async function ensureTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    const rows = topics.flatMap((topic) => Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    await db.insert(busPartitions).values(rows).onConflictDoNothing();
  }

  return {
    kind: 'embedded',
    ensureTopics,
    send,
    subscribe,
    async ping() {
      await database.ping();
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}
