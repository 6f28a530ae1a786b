import type { BusMessage, OutgoingMessage } from './types.ts';

// A dead letter is the original record (same key, same value, original headers) on `<topic>.dlq`,
// with its origin and failure in `dead-letter-*` headers, as Kafka Connect's error headers do:
// tools that only read keys and values see the record as it was, and a replay re-sends it unchanged.

const SUFFIX = '.dlq';
const PREFIX = 'dead-letter-';
const INT4_MAX = 2 ** 31 - 1;

export const deadLetterTopic = (topic: string) => `${topic}${SUFFIX}`;
export const isDeadLetterTopic = (topic: string) => topic.endsWith(SUFFIX);
export const originTopic = (topic: string) => (isDeadLetterTopic(topic) ? topic.slice(0, -SUFFIX.length) : topic);

const originalHeaders = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(PREFIX)));

export interface DeadLetter {
  /** Where the record failed; partition and offset are null for a record written without the headers. */
  origin: { topic: string; partition: number | null; offset: number | null; timestamp: string };
  key: string;
  value: string;
  /** The original headers (without the `dead-letter-*` ones). */
  headers: Record<string, string>;
  error: string;
  attempts: number;
  failedAt: string;
}

/** The driver's own message when there is one (not the wrapper's, which quotes the SQL and its parameters). */
export function describeError(error: unknown): string {
  let current: unknown = error;
  let text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (typeof error === 'string') text = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++, current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      text = `${code}: ${current.message}`;
      break;
    }
  }
  // Stored in headers and jsonb: no NUL, bounded.
  return text.replaceAll('\u0000', '\\u0000').slice(0, 1000);
}

export function toDeadLetter(message: BusMessage, error: unknown, attempts: number, failedAt = new Date()): OutgoingMessage {
  return {
    topic: deadLetterTopic(message.topic),
    key: message.key,
    value: message.value,
    headers: {
      ...originalHeaders(message.headers),
      [`${PREFIX}topic`]: message.topic,
      [`${PREFIX}partition`]: String(message.partition),
      [`${PREFIX}offset`]: String(message.offset),
      [`${PREFIX}timestamp`]: message.timestamp.toISOString(),
      [`${PREFIX}error`]: describeError(error),
      [`${PREFIX}attempts`]: String(attempts),
      [`${PREFIX}failed-at`]: failedAt.toISOString(),
    },
  };
}

/**
 * Reads a record of a `.dlq` topic. One that another producer wrote without the headers still
 * parses (its origin partition and offset are then unknown): reading a dead letter never fails.
 */
export function fromDeadLetter(message: BusMessage): DeadLetter {
  const h = message.headers;
  // Headers may come from any producer: whatever does not fit the columns reads as unknown.
  const int = (name: string, max = Number.MAX_SAFE_INTEGER) => {
    const n = Number(h[`${PREFIX}${name}`] ?? Number.NaN);
    return Number.isSafeInteger(n) && n >= 0 && n <= max ? n : null;
  };
  const time = (name: string) => {
    const t = Date.parse(h[`${PREFIX}${name}`] ?? '');
    return (Number.isNaN(t) ? message.timestamp : new Date(t)).toISOString();
  };
  return {
    origin: {
      topic: h[`${PREFIX}topic`] ?? originTopic(message.topic),
      partition: int('partition', INT4_MAX),
      offset: int('offset'),
      timestamp: time('timestamp'),
    },
    key: message.key,
    value: message.value,
    headers: originalHeaders(h),
    error: describeError(h[`${PREFIX}error`] ?? 'unknown (record without dead-letter headers)'),
    attempts: int('attempts', INT4_MAX) ?? 0,
    failedAt: time('failed-at'),
  };
}
