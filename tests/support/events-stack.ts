import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { migrate } from '@cinemaabyss/db';
import { embeddedBusMigrations, type DeliveryPolicy, type EventBus } from '@cinemaabyss/event-bus';
import { startOutboxRelay, type OutboxRelay } from '@cinemaabyss/outbox';
import { CONSUMED_TOPICS, buildEventsApp, eventsMigrations, startConsumer, type Consumer } from '@cinemaabyss/events';
import { listen, type App } from '@cinemaabyss/http';
import { pino, type Logger } from 'pino';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { freshDatabase, type TestDatabase } from './backend.ts';
import { openTestBus, startGroupAtEnd, uniqueTopic } from './bus.ts';

/** A logger whose JSON lines the test can read back (e.g. to count "event processed" per id). */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

export interface EventsStack {
  db: TestDatabase;
  bus: EventBus;
  events: string;
  monolith: string;
  movies: string;
  relay: OutboxRelay;
  consumer: Consumer;
  lines: Record<string, unknown>[];
  /** How many times each event id was processed (one "event processed" line each). */
  processedCount(id: string): number;
  restartConsumer(): Promise<void>;
  /** Stops one service (its port then refuses connections); `close` closes what is still running. */
  stopService(name: 'events' | 'monolith' | 'movies'): Promise<void>;
  close(): Promise<void>;
}

/** Every service on one database and one bus (embedded or Kafka, per BUS_BACKEND), on free ports. */
export async function startEventsStack(options: { delivery?: Partial<DeliveryPolicy> } = {}): Promise<EventsStack> {
  const db = await freshDatabase();
  await migrate(db.database, eventsMigrations);
  await migrate(db.database, embeddedBusMigrations);
  const bus = await openTestBus(db.database, uniqueTopic('client'));
  const group = uniqueTopic('test-group');
  await bus.ensureTopics(CONSUMED_TOPICS);
  await startGroupAtEnd(group, CONSUMED_TOPICS);
  const { logger, lines } = capturingLogger();
  const relay = startOutboxRelay({ database: db.database, bus, log: logger, idleMs: 50 });
  let consumer!: Consumer;
  const { app: eventsApp, processor } = await buildEventsApp({
    database: db.database,
    bus,
    logger,
    consuming: () => consumer.running(),
    ...(options.delivery ? { delivery: options.delivery } : {}),
  });
  consumer = startConsumer(bus, group, processor, logger);
  const apps: (App | undefined)[] = [
    eventsApp,
    await buildMonolithApp({ database: db.database, logger, published: relay.notify }),
    await buildMoviesApp({ database: db.database, logger, published: relay.notify }),
  ];
  const [events, monolith, movies] = await Promise.all(apps.map((a) => listen(a!, 0, '127.0.0.1')));
  const stack: EventsStack = {
    db,
    bus,
    events: events!,
    monolith: monolith!,
    movies: movies!,
    relay,
    consumer,
    lines,
    processedCount: (id) => lines.filter((l) => l['msg'] === 'event processed' && l['event_id'] === id).length,
    async restartConsumer() {
      await stack.consumer.stop();
      stack.consumer = startConsumer(bus, group, processor, logger);
      consumer = stack.consumer;
    },
    async stopService(name) {
      const index = ['events', 'monolith', 'movies'].indexOf(name);
      const app = apps[index];
      apps[index] = undefined;
      await app?.close();
    },
    async close() {
      await Promise.all(apps.map((a) => a?.close()));
      await stack.consumer.stop();
      await relay.stop();
      await bus.close();
      await db.drop();
    },
  };
  return stack;
}

export function setupEventsStack(options: Parameters<typeof startEventsStack>[0] = {}): { stack: EventsStack } {
  const context = {} as { stack: EventsStack };
  before(async () => {
    context.stack = await startEventsStack(options);
  });
  after(async () => {
    await context.stack?.close();
  });
  return context;
}

/** Polls until `check` is true (bounded). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
