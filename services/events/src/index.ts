export { buildEventsApp, type EventsApp, type EventsDeps } from './app.ts';
export { EventsConfig, loadEventsConfig } from './config.ts';
export { startConsumer, type Consumer } from './consume/consumer.ts';
export { createProcessor, type Processor } from './consume/processor.ts';
export { eventsMigrations } from './migrations.ts';
