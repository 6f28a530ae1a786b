import { openFromSettings } from '@cinemaabyss/db';
import { startPublishing } from '@cinemaabyss/outbox';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { buildMonolithApp } from './app.ts';
import { loadMonolithConfig } from './config.ts';
import { startMovieCopy } from './movies/copy.ts';

await runService(async () => {
  const config = loadMonolithConfig();
  // Before the logger (its lines then carry trace ids) and the database; on only with an OTLP endpoint.
  await startTelemetry('monolith', config);
  const logger = createLogger('monolith', { level: config.LOG_LEVEL });
  const database = await openFromSettings(config);
  const events = await startPublishing(config, 'monolith', database, logger);
  const app = await buildMonolithApp({ database, logger, published: events.notify, outbox: events.outbox });
  const copy = startMovieCopy(events.bus, database, config.MOVIE_CHANGES_GROUP, logger);
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, database: database.kind, bus: events.bus.kind }, `monolith listening on ${url}`);
  return {
    logger,
    apps: [app],
    close: async () => {
      await app.close();
      await copy.stop();
      await events.close();
      await database.close();
    },
  };
});
