export { buildEventsApp, type EventsApp, type EventsDeps } from './app.ts';
export { EventsConfig, deliveryPolicy, loadEventsConfig } from './config.ts';
export { CONSUMED_TOPICS, startConsumer, type Consumer } from './consume/consumer.ts';
export { createProcessor, type Processor } from './consume/processor.ts';
export { eventsMigrations } from './migrations.ts';
