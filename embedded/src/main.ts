// `npm start`: every service in one process, on its usual port, over one PGlite database
// (migrated and seeded on first start) and the embedded event bus stored in it. Nothing to
// install beyond `npm ci`.
import { openFromSettings, monolithMigrations } from '@cinemaabyss/db';
import { embeddedBusMigrations, openEmbeddedBus } from '@cinemaabyss/event-bus';
import { monitorOutbox, startOutboxRelay } from '@cinemaabyss/outbox';
import { buildEventsApp, eventsMigrations, startConsumer } from '@cinemaabyss/events';
import {
  adminOptions,
  buildGateway,
  embeddedAdminTokens,
  gatewayDeps,
  gatewayMigrations,
  loadGatewayConfig,
  openControlRuntime,
  startGatewayAdmin,
  tableFromEnv,
  validateRouteTable,
} from '@cinemaabyss/gateway';
import { listen, runService, type App } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMonolithApp, loadMonolithConfig, startMovieCopy } from '@cinemaabyss/monolith';
import { OWN_OUTBOX_LOCK, buildMoviesApp, openOwnStore, ownOutbox, startDataMigration } from '@cinemaabyss/movies';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { loadEmbeddedConfig } from './config.ts';

await runService(async () => {
  const config = loadEmbeddedConfig(process.argv.slice(2));
  // One process, one service name on its spans; before the logger and the database, as in each service.
  await startTelemetry('cinemaabyss', config);
  const logger = createLogger(null, { level: config.LOG_LEVEL });
  const log = (service: string) => logger.child({ service });
  const database = await openFromSettings(
    { PGLITE_DATA_DIR: config.PGLITE_DATA_DIR, DB_POOL_SIZE: 1 },
    { migrations: [monolithMigrations, embeddedBusMigrations, eventsMigrations, gatewayMigrations], progress: (message) => console.log(message) },
  );
  const bus = await openEmbeddedBus(database);
  // The movies service's own database: a second PGlite folder (issue #12's data migration moves
  // into it), created when the migration provisions it (phase 1), not on every first start.
  const own = (await openOwnStore({ ...config, DB_POOL_SIZE: 1 }))!;
  const data = (registry: Parameters<typeof startDataMigration>[0]['registry']) =>
    startDataMigration({ legacy: database, own, bus, logger: log('movies'), registry, settings: config });
  const relay = startOutboxRelay({ database, bus, log: log('outbox-relay') });
  let ownRelay: ReturnType<typeof startOutboxRelay> | undefined;
  own.attach((ownDatabase) => {
    const started = startOutboxRelay({ database: ownDatabase, bus, log: log('outbox-relay'), table: ownOutbox, leaderLock: OWN_OUTBOX_LOCK });
    ownRelay = started;
    return async () => {
      ownRelay = undefined;
      await started.stop();
    };
  });
  const published = () => {
    relay.notify();
    ownRelay?.notify();
  };
  // The monolith applies the movies service's movie changes (data migration, phase 5).
  const copy = startMovieCopy(bus, database, loadMonolithConfig().MOVIE_CHANGES_GROUP, log('monolith'));
  const outbox = monitorOutbox(database, relay);
  let consumer: ReturnType<typeof startConsumer> | undefined;
  const events = await buildEventsApp({ database, bus, logger: log('events'), consuming: () => consumer?.running() ?? false });
  consumer = startConsumer(bus, 'cinemaabyss-events', events.processor, log('events'));

  // Name, app, port and the variable that sets it (named by the error a taken port gives).
  const services: [string, App, number, string][] = [
    ['monolith', await buildMonolithApp({ database, logger: log('monolith'), published, outbox }), config.MONOLITH_PORT, 'MONOLITH_PORT'],
    ['movies', await buildMoviesApp({ database, logger: log('movies'), published, outbox, data }), config.MOVIES_PORT, 'MOVIES_PORT'],
    ['events', events.app, config.EVENTS_PORT, 'EVENTS_PORT'],
  ];
  const lines: string[] = [];
  const urls: Record<string, string> = {};
  for (const [name, app, port, variable] of services) {
    urls[name] = await listen(app, port, config.HOST, variable);
    lines.push(`  ${name.padEnd(10)} ${urls[name]}`);
  }
  // The gateway in front, routed to the embedded services on the ports they actually got.
  const gatewayConfig = loadGatewayConfig({
    ...process.env,
    MONOLITH_URL: urls['monolith'],
    MOVIES_SERVICE_URL: urls['movies'],
    EVENTS_SERVICE_URL: urls['events'],
    GRADUAL_MIGRATION: String(config.GRADUAL_MIGRATION),
    MOVIES_MIGRATION_PERCENT: String(config.MOVIES_MIGRATION_PERCENT),
    MIGRATION_MODE: config.MIGRATION_MODE,
    HOST: config.HOST,
  });
  // The gateway's migration state in the same PGlite (schema gateway); its events on the same bus.
  const control = await openControlRuntime(gatewayConfig, log('gateway'), { database, bus });
  const gateway = await buildGateway(gatewayDeps(gatewayConfig, validateRouteTable(tableFromEnv(gatewayConfig)), control, log('gateway')));
  services.unshift(['gateway', gateway.app, config.GATEWAY_PORT, 'GATEWAY_PORT']);
  lines.unshift(`  ${'gateway'.padEnd(10)} ${await listen(gateway.app, config.GATEWAY_PORT, config.HOST, 'GATEWAY_PORT')}  <- the single entry point`);
  // The admin API (migration control) on its own port; without configured tokens, one operator
  // token for this run is made and printed.
  const tokens = embeddedAdminTokens(gatewayConfig.GATEWAY_ADMIN_TOKENS, (line) => lines.push(`  ${line}`));
  const admin = await startGatewayAdmin(gateway, adminOptions(gatewayConfig, tokens), log('gateway-admin'));
  if (admin) {
    services.push(['gateway-admin', admin.app, gatewayConfig.GATEWAY_ADMIN_PORT, 'GATEWAY_ADMIN_PORT']);
    lines.splice(1, 0, `  ${'admin'.padEnd(10)} ${admin.url}  <- migration console (open it in a browser) and API (npm run ctl)`);
  }
  const where = config.PGLITE_DATA_DIR === 'memory://' ? 'in memory' : `in ${config.PGLITE_DATA_DIR}`;
  console.log(`CinemaAbyss (embedded, PGlite ${where}, embedded event bus) is up:\n${lines.join('\n')}\nCtrl-C stops it cleanly.`);
  return {
    logger,
    // The services drain like standalone ones (packages/http) before `close`; the gateway's proxied
    // requests never enter Fastify, so it drains itself first thing in `close`.
    apps: [services[1]![1], services[2]![1], services[3]![1]],
    close: async () => {
      await gateway.drain(2000);
      await Promise.all(services.map(([, app]) => app.close()));
      await consumer?.stop();
      await copy.stop();
      await control.close();
      await relay.stop();
      await own.close();
      await bus.close();
      await database.close();
    },
  };
});
