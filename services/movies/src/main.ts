import { openFromSettings } from '@cinemaabyss/db';
import { startPublishing, type Publishing } from '@cinemaabyss/outbox';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { buildMoviesApp } from './app.ts';
import { loadMoviesConfig } from './config.ts';
import { startDataMigration } from './data/procedure.ts';
import { openOwnStore } from './store/open.ts';
import { OWN_OUTBOX_LOCK, ownOutbox } from './store/schema.ts';

await runService(async () => {
  const config = loadMoviesConfig();
  // Before the logger (its lines then carry trace ids) and the database; on only with an OTLP endpoint.
  await startTelemetry('movies', config);
  const logger = createLogger('movies', { level: config.LOG_LEVEL });
  const database = await openFromSettings(config);
  const own = await openOwnStore(config);
  const events = await startPublishing(config, 'movies', database, logger);
  // The own store's outbox (its writes from phase 5 on), on the same bus, once the store exists.
  let ownEvents: Publishing | undefined;
  own?.attach(async (ownDatabase) => {
    const publishing = await startPublishing(config, 'movies', ownDatabase, logger, { table: ownOutbox, leaderLock: OWN_OUTBOX_LOCK, bus: events.bus });
    ownEvents = publishing;
    return async () => {
      ownEvents = undefined;
      await publishing.close();
    };
  });
  const app = await buildMoviesApp({
    database,
    logger,
    published: () => {
      events.notify();
      ownEvents?.notify();
    },
    outbox: events.outbox,
    catalogueRecheckMs: config.CATALOGUE_RECHECK_MS,
    data: (registry) => startDataMigration({ legacy: database, own, bus: events.bus, logger, registry, settings: config }),
  });
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, database: database.kind, own: own?.kind ?? 'none', bus: events.bus.kind }, `movies service listening on ${url}`);
  return {
    logger,
    apps: [app],
    close: async () => {
      await app.close();
      await own?.close();
      await events.close();
      await database.close();
    },
  };
});
