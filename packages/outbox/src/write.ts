// The write side: a producer records its domain events in its outbox, in the transaction of the change.
import { randomUUID } from 'node:crypto';
import { eventRecord, type EventType } from '@cinemaabyss/api';
import type { Db } from '@cinemaabyss/db';
import { currentTraceContext, inSpan } from '@cinemaabyss/telemetry';
import type { Static, TSchema } from 'typebox';
import { outbox as monolithOutbox, type OutboxTable } from './schema.ts';

export interface DomainEvent {
  topic: string;
  /** Ordering key: the entity the event is about. */
  key: string;
  type: string;
  source: string;
  payload: Record<string, unknown>;
}

/** The outbox row of one event of a catalogue type (packages/api): its topic, type and key come from the type. */
export function outboxRecord<S extends TSchema>(event: EventType<S>, payload: Static<S>, source: string): DomainEvent {
  return { ...eventRecord(event, payload), source };
}

/**
 * Records a domain event in the outbox. Call it with the transaction that writes the row the
 * event describes: both commit or neither does. The relay publishes it afterwards.
 */
export function enqueueEvent(tx: Db, event: DomainEvent, table: OutboxTable = monolithOutbox): Promise<void> {
  const eventId = randomUUID();
  const attributes = { 'messaging.destination.name': event.topic, 'messaging.message.id': eventId, 'cloudevents.event_type': event.type };
  return inSpan(`outbox write ${event.topic}`, { attributes }, async () => {
    // The row keeps this span's context: the relay's publish, however much later, continues the trace.
    await tx.insert(table).values({ eventId, ...event, traceContext: currentTraceContext() ?? null });
  });
}
