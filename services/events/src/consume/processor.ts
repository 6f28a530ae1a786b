import type { Db } from '@cinemaabyss/db';
import { parseEnvelope, type BusMessage } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';
import { Counter, type Registry } from 'prom-client';
import { processedEvents } from '../schema.ts';

export interface Processor {
  handle(message: BusMessage): Promise<void>;
  /** Redelivered events recognised by id since start. */
  duplicates(): number;
}

/**
 * Processes one event: records it under its id (a redelivery finds the id taken and is skipped),
 * then writes one structured log line and counts it. Throwing leaves the offset uncommitted.
 */
export function createProcessor(db: Db, logger: Logger, registry: Registry): Processor {
  const processed = new Counter({
    name: 'events_processed_total',
    help: 'Events processed by the consumer group, by topic and type',
    labelNames: ['topic', 'type'],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'events_skipped_total',
    help: 'Deliveries not processed: duplicate (redelivered id) or malformed',
    labelNames: ['reason'],
    registers: [registry],
  });
  let duplicates = 0;

  return {
    duplicates: () => duplicates,
    async handle(message) {
      const event = parseEnvelope(message.value);
      if (!event) {
        // A record that is not an event can never succeed: log it and move on rather than block the partition.
        skipped.inc({ reason: 'malformed' });
        logger.warn({ topic: message.topic, partition: message.partition, offset: message.offset }, 'skipping malformed event');
        return;
      }
      const inserted = await db
        .insert(processedEvents)
        .values({
          eventId: event.id,
          type: event.type,
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          key: message.key,
          source: event.source ?? 'unknown',
          payload: event.payload,
          eventTimestamp: new Date(event.timestamp),
        })
        .onConflictDoNothing()
        .returning({ id: processedEvents.eventId });
      if (inserted.length === 0) {
        duplicates++;
        skipped.inc({ reason: 'duplicate' });
        logger.debug({ event_id: event.id }, 'duplicate delivery skipped');
        return;
      }
      processed.inc({ topic: message.topic, type: event.type });
      logger.info(
        {
          event_id: event.id,
          type: event.type,
          source: event.source,
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          key: message.key,
          payload: event.payload,
        },
        'event processed',
      );
    },
  };
}
