// `npm start`: every service in one process, on its usual port, over one PGlite database
// (migrated and seeded on first start). Nothing to install beyond `npm ci`.
import { openFromSettings } from '@cinemaabyss/db';
import { listen, runService, type App } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { loadEmbeddedConfig } from './config.ts';

await runService(async () => {
  const config = loadEmbeddedConfig(process.argv.slice(2));
  const logger = createLogger('embedded', { level: config.LOG_LEVEL });
  const database = await openFromSettings({ PGLITE_DATA_DIR: config.PGLITE_DATA_DIR, DB_POOL_SIZE: 1 });
  const services: [string, App, number][] = [
    ['monolith', await buildMonolithApp({ database, logger: logger.child({ service: 'monolith' }) }), config.MONOLITH_PORT],
    ['movies', await buildMoviesApp({ database, logger: logger.child({ service: 'movies' }) }), config.MOVIES_PORT],
  ];
  const lines: string[] = [];
  for (const [name, app, port] of services) lines.push(`  ${name.padEnd(10)} ${await listen(app, port, config.HOST)}`);
  const where = config.PGLITE_DATA_DIR === 'memory://' ? 'in memory' : `in ${config.PGLITE_DATA_DIR}`;
  console.log(`CinemaAbyss (embedded, PGlite ${where}) is up:\n${lines.join('\n')}\nCtrl-C stops it cleanly.`);
  return {
    logger,
    close: async () => {
      await Promise.all(services.map(([, app]) => app.close()));
      await database.close();
    },
  };
});
