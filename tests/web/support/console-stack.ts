// The whole stack the console runs against, as embedded mode wires it but on free ports and in
// this process: monolith, movies (behind a fault-injecting proxy the test controls), the events
// service with its consumer on the embedded bus, and the gateway with its state store, shadow,
// analysis and admin API (which serves the console's production build).
import { migrate } from '@cinemaabyss/db';
import { embeddedBusMigrations, openEmbeddedBus, type EventBus } from '@cinemaabyss/event-bus';
import { startOutboxRelay } from '@cinemaabyss/outbox';
import { CONSUMED_TOPICS, buildEventsApp, eventsMigrations, startConsumer, type Consumer } from '@cinemaabyss/events';
import { buildGateway, loadGatewayConfig, openControlRuntime, startGatewayAdmin, tableFromEnv, validateRouteTable } from '@cinemaabyss/gateway';
import { listen, type App } from '@cinemaabyss/http';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { freshDatabase } from '../../support/backend.ts';
import { quietLogger } from '../../support/stack.ts';
import { startFaultProxy, type FaultProxy } from '../../shadow/support.ts';

export const OPERATOR_TOKEN = 'olivia-operator-token-0123456789';
export const VIEWER_TOKEN = 'victor-viewer-token-0123456789';

export interface ConsoleStack {
  /** The gateway's public port. */
  gateway: string;
  /** The admin port: the console at `/`, the admin API under `/admin`. */
  admin: string;
  /** What the gateway knows as the movies service: a proxy the test can make misbehave. */
  movies: FaultProxy;
  bus: EventBus;
  /** Stops the movies service: its port refuses connections from now on. */
  stopMovies(): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const logger = quietLogger();
  const db = await freshDatabase();
  const { database } = db;
  await migrate(database, eventsMigrations);
  await migrate(database, embeddedBusMigrations);
  const bus = await openEmbeddedBus(database);
  await bus.ensureTopics(CONSUMED_TOPICS);
  const relay = startOutboxRelay({ database, bus, log: logger, idleMs: 50 });
  let consumer: Consumer | undefined;
  const events = await buildEventsApp({ database, bus, logger, consuming: () => consumer?.running() ?? false });
  consumer = startConsumer(bus, 'cinemaabyss-events', events.processor, logger);
  const apps: App[] = [
    events.app,
    await buildMonolithApp({ database, logger, published: relay.notify }),
    await buildMoviesApp({ database, logger, published: relay.notify }),
  ];
  const [eventsUrl, monolithUrl, moviesUrl] = await Promise.all(apps.map((app) => listen(app, 0, '127.0.0.1')));
  const movies = await startFaultProxy(moviesUrl!);

  const config = loadGatewayConfig({
    MONOLITH_URL: monolithUrl,
    MOVIES_SERVICE_URL: movies.url,
    EVENTS_SERVICE_URL: eventsUrl,
    GATEWAY_ACCESS_LOG: 'false',
    GATEWAY_ADMIN_TOKENS: `olivia:operator:${OPERATOR_TOKEN},victor:viewer:${VIEWER_TOKEN}`,
  });
  const control = await openControlRuntime(config, logger, { database, bus });
  const gateway = await buildGateway({
    table: validateRouteTable(tableFromEnv(config)),
    logger,
    accessLog: false,
    store: control.store,
    refreshMs: config.GATEWAY_STATE_REFRESH_MS,
    shadow: { database: control.database, replica: 'console-test' },
    analysis: { database: control.database, replicaId: 'console-test' },
  });
  const gatewayUrl = await listen(gateway.app, 0, '127.0.0.1');
  const admin = await startGatewayAdmin(gateway, { tokens: config.GATEWAY_ADMIN_TOKENS, port: 0, host: '127.0.0.1', eventsUrl: eventsUrl! }, logger);
  if (!admin) throw new Error('the admin API did not start');

  let moviesStopped = false;
  return {
    gateway: gatewayUrl,
    admin: admin.url,
    movies,
    bus,
    stopMovies: async () => {
      moviesStopped = true;
      await movies.close();
    },
    close: async () => {
      await gateway.drain(100);
      await Promise.all([gateway.app.close(), admin.app.close(), ...apps.map((app) => app.close()), moviesStopped ? undefined : movies.close()]);
      await consumer?.stop();
      await control.close();
      await relay.stop();
      await bus.close();
      await db.drop();
    },
  };
}
