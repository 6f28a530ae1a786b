// `npm start`: every service in one process, on its usual port, over one PGlite database
// (migrated and seeded on first start) and the embedded event bus stored in it. Nothing to
// install beyond `npm ci`.
import { openFromSettings, monolithMigrations } from '@cinemaabyss/db';
import { embeddedBusMigrations, openEmbeddedBus, startOutboxRelay } from '@cinemaabyss/event-bus';
import { buildEventsApp, eventsMigrations, startConsumer } from '@cinemaabyss/events';
import { listen, runService, type App } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { loadEmbeddedConfig } from './config.ts';

await runService(async () => {
  const config = loadEmbeddedConfig(process.argv.slice(2));
  const logger = createLogger(null, { level: config.LOG_LEVEL });
  const log = (service: string) => logger.child({ service });
  const database = await openFromSettings(
    { PGLITE_DATA_DIR: config.PGLITE_DATA_DIR, DB_POOL_SIZE: 1 },
    { migrations: [monolithMigrations, embeddedBusMigrations, eventsMigrations] },
  );
  const bus = await openEmbeddedBus(database);
  const relay = startOutboxRelay({ database, bus, log: log('outbox-relay') });
  const published = () => relay.notify();
  let consumer: ReturnType<typeof startConsumer> | undefined;
  const events = await buildEventsApp({ database, bus, logger: log('events'), consuming: () => consumer?.running() ?? false });
  consumer = startConsumer(bus, 'cinemaabyss-events', events.processor, log('events'));

  const services: [string, App, number][] = [
    ['monolith', await buildMonolithApp({ database, logger: log('monolith'), published }), config.MONOLITH_PORT],
    ['movies', await buildMoviesApp({ database, logger: log('movies'), published }), config.MOVIES_PORT],
    ['events', events.app, config.EVENTS_PORT],
  ];
  const lines: string[] = [];
  for (const [name, app, port] of services) lines.push(`  ${name.padEnd(10)} ${await listen(app, port, config.HOST)}`);
  const where = config.PGLITE_DATA_DIR === 'memory://' ? 'in memory' : `in ${config.PGLITE_DATA_DIR}`;
  console.log(`CinemaAbyss (embedded, PGlite ${where}, embedded event bus) is up:\n${lines.join('\n')}\nCtrl-C stops it cleanly.`);
  return {
    logger,
    close: async () => {
      await Promise.all(services.map(([, app]) => app.close()));
      await consumer?.stop();
      await relay.stop();
      await bus.close();
      await database.close();
    },
  };
});
