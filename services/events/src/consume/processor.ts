import type { Db } from '@cinemaabyss/db';
import { PoisonRecordError, fromDeadLetter, isDeadLetterTopic, parseEnvelope, type BusMessage, type DeliveryPolicy } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';
import { recordTrace } from '@cinemaabyss/telemetry';
import { Counter, type Registry } from 'prom-client';
import { deadLetters, processedEvents } from '../schema.ts';
import { countDeadLetters } from './dead-letters.ts';
import { createMonitor, type ConsumerMonitor } from './monitor.ts';

export interface Processor {
  /** One record (the bus falls back to this to isolate a bad record of a failed batch). */
  handle(message: BusMessage): Promise<void>;
  /** One partition's batch in one statement, hence one transaction. */
  handleBatch(messages: BusMessage[]): Promise<void>;
  /** Redelivered events recognised by id since start. */
  duplicates(): number;
  monitor: ConsumerMonitor;
  policy: Partial<DeliveryPolicy>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The read-model row of an event record; a record that is not a well-formed event can never be one. */
function toRow(message: BusMessage) {
  const event = parseEnvelope(message.value);
  if (!event) throw new PoisonRecordError('the record is not an event envelope (JSON with id, type and payload)');
  const timestamp = new Date(event.timestamp);
  if (!UUID.test(event.id)) throw new PoisonRecordError('the event id is not a UUID');
  if (Number.isNaN(timestamp.getTime())) throw new PoisonRecordError('the event timestamp is not a date');
  return {
    eventId: event.id,
    type: event.type,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    source: event.source ?? 'unknown',
    payload: event.payload,
    eventTimestamp: timestamp,
  };
}

function toDeadLetterRow(message: BusMessage) {
  const letter = fromDeadLetter(message);
  return {
    dlqTopic: message.topic,
    dlqPartition: message.partition,
    dlqOffset: message.offset,
    topic: letter.origin.topic,
    partition: letter.origin.partition,
    offset: letter.origin.offset,
    record: JSON.stringify({ key: letter.key, value: letter.value, headers: letter.headers }),
    error: letter.error,
    attempts: letter.attempts,
    failedAt: new Date(letter.failedAt),
  };
}

/**
 * Records events under their id (a redelivery finds the id taken and is skipped), then writes one
 * structured log line each and counts it; records of `.dlq` topics go to the dead_letters table.
 * Throwing leaves the offsets uncommitted.
 */
export function createProcessor(db: Db, logger: Logger, registry: Registry, policy: Partial<DeliveryPolicy> = {}): Processor {
  const processed = new Counter({
    name: 'events_processed_total',
    help: 'Events processed by the consumer group, by topic and type',
    labelNames: ['topic', 'type'],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'events_skipped_total',
    help: 'Deliveries not processed again: duplicate (redelivered id)',
    labelNames: ['reason'],
    registers: [registry],
  });
  let duplicates = 0;

  async function storeEvents(messages: BusMessage[]): Promise<void> {
    const rows = messages.map(toRow);
    const inserted = await db.insert(processedEvents).values(rows).onConflictDoNothing().returning({ id: processedEvents.eventId });
    const fresh = new Set(inserted.map((r) => r.id));
    for (const [i, row] of rows.entries()) {
      if (!fresh.delete(row.eventId)) {
        duplicates++;
        skipped.inc({ reason: 'duplicate' });
        logger.debug({ event_id: row.eventId }, 'duplicate delivery skipped');
        continue;
      }
      processed.inc({ topic: row.topic, type: row.type });
      logger.info(
        {
          event_id: row.eventId,
          type: row.type,
          source: row.source,
          topic: row.topic,
          partition: row.partition,
          offset: row.offset,
          key: row.key,
          payload: row.payload,
          // The event's own trace, also when it was stored in a batch with others.
          ...recordTrace(messages[i]!.headers),
        },
        'event processed',
      );
    }
  }

  async function storeDeadLetters(messages: BusMessage[]): Promise<void> {
    const stored = await db.insert(deadLetters).values(messages.map(toDeadLetterRow)).onConflictDoNothing().returning({ id: deadLetters.id });
    if (stored.length > 0) logger.debug({ ids: stored.map((r) => r.id) }, 'dead letters stored');
  }

  const handleBatch = (messages: BusMessage[]) => (isDeadLetterTopic(messages[0]?.topic ?? '') ? storeDeadLetters(messages) : storeEvents(messages));
  return {
    duplicates: () => duplicates,
    handle: (message) => handleBatch([message]),
    handleBatch,
    monitor: createMonitor(logger, registry, async () => (await countDeadLetters(db)).pending),
    policy,
  };
}
