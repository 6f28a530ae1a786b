import { isUnavailable as databaseUnavailable, type Database } from '@cinemaabyss/db';
import { BusUnavailableError, type DeliveryPolicy, type EventBus } from '@cinemaabyss/event-bus';
import { createServer, type App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';
import { Registry } from 'prom-client';
import { adminRoutes } from './consume/admin-routes.ts';
import { createProcessor, type Processor } from './consume/processor.ts';
import { consumeRoutes } from './consume/routes.ts';
import { publishRoutes } from './publish/routes.ts';

export interface EventsDeps {
  database: Database;
  bus: EventBus;
  logger: Logger;
  /** Readiness also waits for the consumer group, and fails while it is stuck, when this is given. */
  consuming?: () => boolean;
  /** How the consumer retries and dead-letters (defaults: the bus's). */
  delivery?: Partial<DeliveryPolicy>;
}

export interface EventsApp {
  app: App;
  processor: Processor;
}

/** The events service, ready to listen; the consumer is started separately (startConsumer). */
export async function buildEventsApp({ database, bus, logger, consuming, delivery }: EventsDeps): Promise<EventsApp> {
  const registry = new Registry();
  const processor = createProcessor(database.db, logger, registry, delivery);
  const app = await createServer({
    service: 'events',
    title: 'CinemaAbyss events service',
    description: 'Publishes user, movie and payment events to Kafka and consumes them.',
    logger,
    registry,
    healthPath: '/api/events/health',
    readyPath: '/api/events/ready',
    readiness: {
      broker: () => bus.ping(),
      database: () => database.ping(),
      ...(consuming
        ? {
            consumer: async () => {
              if (!consuming()) throw new Error('not consuming yet');
              return processor.monitor.readiness();
            },
          }
        : {}),
    },
    isUnavailable: (error) => error instanceof BusUnavailableError || databaseUnavailable(error),
  });
  publishRoutes(app, bus);
  consumeRoutes(app, database.db, processor);
  adminRoutes(app, database.db, bus, processor.monitor);
  return { app, processor };
}
