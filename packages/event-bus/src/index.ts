export * from './types.ts';
export { partitionFor } from './partition.ts';
export { defaultDeliveryPolicy, isTransient } from './delivery.ts';
export { deadLetterTopic, describeError, fromDeadLetter, isDeadLetterTopic, type DeadLetter } from './dead-letter.ts';
export { openKafkaBus, type KafkaBusOptions } from './kafka.ts';
export { openEmbeddedBus, embeddedBusMigrations, type EmbeddedBusOptions } from './embedded.ts';
export { busGroupOffsets, busMessages, busPartitions } from './schema.ts';

export { newEnvelope, parseEnvelope, toMessage, CLOUDEVENTS_SPEC_VERSION, SCHEMA_VERSION, type EventEnvelope } from './envelope.ts';
export { backoffMs, publishFailureKind, PUBLISH_FAILURE_KINDS, type PublishFailureKind } from './publish-failure.ts';
export { BusSettings } from './settings.ts';
export { openEventBus, type BusSettingValues } from './open.ts';
export { consumeMovieChanges, type AppliedBatch, type MovieChangeConsumer, type MovieChangeConsumerOptions } from './movie-changes.ts';
export { keepJoining, type Joining } from './joining.ts';
