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

/** The record for the bus: JSON value, key for ordering, ids in headers for tooling that never parses values. */
export function toMessage(topic: string, key: string, event: EventEnvelope): OutgoingMessage {
  return {
    topic,
    key,
    value: JSON.stringify(event),
    headers: {
      'event-id': event.id,
      'event-type': event.type,
      'schema-version': String(event.schema_version),
      'content-type': 'application/json',
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
