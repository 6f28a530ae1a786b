import { randomUUID } from 'node:crypto';
import type { Db } from './client.ts';
import { outbox } from './schema.ts';

export interface DomainEvent {
  topic: string;
  /** Ordering key: the entity the event is about. */
  key: string;
  type: string;
  source: string;
  payload: Record<string, unknown>;
}

/**
 * Records a domain event in the outbox. Call it with the transaction that writes the row the
 * event describes: both commit or neither does. The relay publishes it afterwards.
 */
export async function enqueueEvent(tx: Db, event: DomainEvent): Promise<void> {
  await tx.insert(outbox).values({ eventId: randomUUID(), ...event });
}
