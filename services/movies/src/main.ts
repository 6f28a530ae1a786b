import { openFromSettings } from '@cinemaabyss/db';
import { startPublishing } from '@cinemaabyss/event-bus';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { buildMoviesApp } from './app.ts';
import { loadMoviesConfig } from './config.ts';

await runService(async () => {
  const config = loadMoviesConfig();
  // Before the logger (its lines then carry trace ids) and the database; on only with an OTLP endpoint.
  await startTelemetry('movies', config);
  const logger = createLogger('movies', { level: config.LOG_LEVEL });
  const database = await openFromSettings(config);
  const events = await startPublishing(config, 'movies', database, logger);
  const app = await buildMoviesApp({ database, logger, published: events.notify, outbox: events.outbox });
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, database: database.kind, bus: events.bus.kind }, `movies service listening on ${url}`);
  return {
    logger,
    apps: [app],
    close: async () => {
      await app.close();
      await events.close();
      await database.close();
    },
  };
});
