import { openFromSettings } from '@cinemaabyss/db';
import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMonolithApp } from './app.ts';
import { loadMonolithConfig } from './config.ts';

await runService(async () => {
  const config = loadMonolithConfig();
  const logger = createLogger('monolith', { level: config.LOG_LEVEL });
  const database = await openFromSettings(config);
  const app = await buildMonolithApp({ database, logger });
  const url = await listen(app, config.PORT, config.HOST);
  logger.info({ url, database: database.kind }, `monolith listening on ${url}`);
  return { logger, close: () => app.close().then(() => database.close()) };
});
