import { openFromSettings } from '@cinemaabyss/db';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMoviesApp } from './app.ts';
import { loadMoviesConfig } from './config.ts';

await runService(async () => {
  const config = loadMoviesConfig();
  const logger = createLogger('movies', { level: config.LOG_LEVEL });
  const database = await openFromSettings(config);
  const app = await buildMoviesApp({ database, logger });
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, database: database.kind }, `movies service listening on ${url}`);
  return { logger, close: () => app.close().then(() => database.close()) };
});
