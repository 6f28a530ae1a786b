import { openFromSettings } from '@cinemaabyss/db';
import { startPublishing } from '@cinemaabyss/event-bus';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMoviesApp } from './app.ts';
import { loadMoviesConfig } from './config.ts';
import { startDataMigration } from './data/procedure.ts';
import { openOwnStore } from './store/open.ts';

await runService(async () => {
  const config = loadMoviesConfig();
  const logger = createLogger('movies', { level: config.LOG_LEVEL });
  const database = await openFromSettings(config);
  const own = await openOwnStore(config);
  const events = await startPublishing(config, 'movies', database, logger);
  const app = await buildMoviesApp({
    database,
    logger,
    published: events.notify,
    outbox: events.outbox,
    data: (registry) => startDataMigration({ legacy: database, own, bus: events.bus, logger, registry, settings: config }),
  });
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, database: database.kind, own: own?.kind ?? 'none', bus: events.bus.kind }, `movies service listening on ${url}`);
  return {
    logger,
    apps: [app],
    close: async () => {
      await app.close();
      await events.close();
      await own?.close();
      await database.close();
    },
  };
});
