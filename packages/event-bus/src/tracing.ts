import { consuming, currentTraceContext, producing, type RecordAttributes } from '@cinemaabyss/telemetry';
import type { BusMessage, EventBus, OutgoingMessage } from './types.ts';

const recordAttributes = (system: EventBus['kind'], message: OutgoingMessage | BusMessage): RecordAttributes => ({
  system,
  topic: message.topic,
  key: message.key,
  ...(message.headers?.['ce_id'] ? { eventId: message.headers['ce_id'] } : {}),
  ...('offset' in message ? { partition: message.partition, offset: message.offset } : {}),
});

/**
 * Sends in a PRODUCER span whose W3C trace context (`traceparent`, `tracestate`) travels in the
 * record's headers, on Kafka and the embedded bus alike; the consumer continues the trace from them.
 */
export function sendTraced<T>(system: EventBus['kind'], message: OutgoingMessage, send: (message: OutgoingMessage) => Promise<T>): Promise<T> {
  return producing(recordAttributes(system, message), () => {
    const trace = currentTraceContext();
    return send(trace ? { ...message, headers: { ...message.headers, ...trace } } : message);
  });
}

/** Runs a handler over records in CONSUMER spans continuing the traces their headers carry. */
export function processTraced<T>(system: EventBus['kind'], records: BusMessage[], work: () => Promise<T>): Promise<T> {
  return consuming(
    records.map((r) => ({ attributes: recordAttributes(system, r), headers: r.headers })),
    work,
  );
}
