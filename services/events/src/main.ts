import { openFromSettings } from '@cinemaabyss/db';
import { embeddedBusMigrations, openEventBus } from '@cinemaabyss/event-bus';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { buildEventsApp } from './app.ts';
import { deliveryPolicy, loadEventsConfig } from './config.ts';
import { startConsumer } from './consume/consumer.ts';
import { eventsMigrations } from './migrations.ts';

await runService(async () => {
  const config = loadEventsConfig();
  // Before the logger (its lines then carry trace ids) and the database; on only with an OTLP endpoint.
  await startTelemetry('events', config);
  const logger = createLogger('events', { level: config.LOG_LEVEL });
  const migrations = config.KAFKA_BROKERS ? [eventsMigrations] : [eventsMigrations, embeddedBusMigrations];
  const database = await openFromSettings(config, { migrations, sampleData: false });
  const bus = await openEventBus(config, 'events', database, { sendTimeoutMs: config.EVENTS_SEND_TIMEOUT_MS });
  let consumer: ReturnType<typeof startConsumer> | undefined;
  const { app, processor } = await buildEventsApp({
    database,
    bus,
    logger,
    consuming: () => consumer?.running() ?? false,
    delivery: deliveryPolicy(config),
  });
  consumer = startConsumer(bus, config.EVENTS_CONSUMER_GROUP, processor, logger);
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, bus: bus.kind, database: database.kind }, `events service listening on ${url}`);
  return {
    logger,
    apps: [app],
    close: async () => {
      await app.close();
      await consumer?.stop();
      await bus.close();
      await database.close();
    },
  };
});
