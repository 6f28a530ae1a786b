import { randomUUID } from 'node:crypto';
import type { OutgoingMessage } from './types.ts';

export const SCHEMA_VERSION = 1;

/** What every event on the bus looks like, whoever published it. */
export interface EventEnvelope {
  id: string;
  type: string;
  schema_version: number;
  timestamp: string;
  source: string;
  payload: Record<string, unknown>;
}

export function newEnvelope(type: string, payload: Record<string, unknown>, source: string): EventEnvelope {
  return { id: randomUUID(), type, schema_version: SCHEMA_VERSION, timestamp: new Date().toISOString(), source, payload };
}

/** The CloudEvents version the records' `ce_specversion` header declares. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/**
 * The event's attributes as CloudEvents Kafka binding headers (binary content mode): standard
 * tools (CloudEvents SDKs, Knative, kcat) read the id, type, source and time without parsing the
 * value. The value stays the whole envelope, the CloudEvent's data (`content-type`), so consumers,
 * dead letters and replays read records as before. `ce_source` is a URI reference naming the
 * service that wrote the event.
 */
function cloudEventHeaders(event: EventEnvelope): Record<string, string> {
  return {
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: `/cinemaabyss/${event.source}`,
    ce_time: event.timestamp,
    'content-type': 'application/json',
  };
}

/**
 * The record for the bus: JSON value, key for ordering, the event's attributes in headers for
 * tooling that never parses values (CloudEvents ones, and the `event-*` ones consumers had first).
 */
export function toMessage(topic: string, key: string, event: EventEnvelope): OutgoingMessage {
  return {
    topic,
    key,
    value: JSON.stringify(event),
    headers: {
      ...cloudEventHeaders(event),
      'event-id': event.id,
      'event-type': event.type,
      'schema-version': String(event.schema_version),
    },
  };
}

/** Parses a record's value; returns undefined for anything that is not an envelope. */
export function parseEnvelope(value: string): EventEnvelope | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<EventEnvelope>;
    if (typeof parsed.id !== 'string' || typeof parsed.type !== 'string' || typeof parsed.payload !== 'object') return undefined;
    return parsed as EventEnvelope;
  } catch {
    return undefined;
  }
}
