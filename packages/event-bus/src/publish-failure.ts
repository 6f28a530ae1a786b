import { findErrorBy } from '@platformatic/kafka';
import { BusUnavailableError } from './types.ts';

/**
 * Why a publish failed. `transient`: the bus is unreachable or slow (not the record's fault; retry
 * without limit). `permanent`: the bus refused this record and will refuse it again.
 */
export type PublishFailureKind = 'transient' | 'permanent';
export const PUBLISH_FAILURE_KINDS: readonly PublishFailureKind[] = ['transient', 'permanent'];

// Kafka error codes that refuse a record for what it is, not for the state of the cluster.
const REFUSED_RECORD = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP'];

function refusedByKafka(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
    if (REFUSED_RECORD.some((id) => findErrorBy(current as Error, 'apiId', id))) return true;
  }
  return false;
}

/**
 * The adapters report an unreachable bus as BusUnavailableError (Kafka wraps even a refusal in
 * it, with the broker's error code as the cause). Anything else thrown while building or sending
 * a record is the record's own fault.
 */
export function publishFailureKind(error: unknown): PublishFailureKind {
  if (refusedByKafka(error)) return 'permanent';
  return error instanceof BusUnavailableError ? 'transient' : 'permanent';
}

/** Exponential backoff with "equal jitter": replicas retrying together do not stay in step. */
export function backoffMs(failures: number, maxMs: number, baseMs = 100): number {
  const ceiling = Math.min(baseMs * 2 ** Math.min(failures, 30), maxMs);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
