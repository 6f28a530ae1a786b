import { context, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { contextFrom, type TraceCarrier } from './context.ts';
import { ended, inSpan, tracer } from './spans.ts';

/** What a messaging span says about its record (OpenTelemetry messaging semantic conventions). */
export interface RecordAttributes {
  /** 'kafka', or the embedded bus. */
  system: string;
  topic: string;
  key?: string;
  eventId?: string;
  partition?: number;
  offset?: number;
}

function attributes(operation: string, record: RecordAttributes): Attributes {
  return {
    'messaging.system': record.system,
    'messaging.operation.type': operation,
    'messaging.destination.name': record.topic,
    ...(record.key !== undefined ? { 'messaging.kafka.message.key': record.key } : {}),
    ...(record.eventId !== undefined ? { 'messaging.message.id': record.eventId } : {}),
    ...(record.partition !== undefined ? { 'messaging.destination.partition.id': String(record.partition) } : {}),
    ...(record.offset !== undefined ? { 'messaging.kafka.offset': record.offset } : {}),
  };
}

/** A PRODUCER span for one record, active while `work` sends it (`work` injects its context into the headers). */
export function producing<T>(record: RecordAttributes, work: () => Promise<T>): Promise<T> {
  return inSpan(`send ${record.topic}`, { kind: SpanKind.PRODUCER, attributes: attributes('send', record) }, work);
}

/**
 * CONSUMER spans for records processed together: each record's span continues the trace its
 * headers carry, so every event's trace ends at the consumer that processed it. `work` runs in
 * the only record's span, or for several in a batch span linked to all of them.
 */
export async function consuming<T>(records: { attributes: RecordAttributes; headers: TraceCarrier }[], work: () => Promise<T>): Promise<T> {
  const spans = records.map((r) =>
    tracer.startSpan(`process ${r.attributes.topic}`, { kind: SpanKind.CONSUMER, attributes: attributes('process', r.attributes) }, contextFrom(r.headers)),
  );
  const only = spans.length === 1 ? spans[0] : undefined;
  const run = only
    ? () => context.with(trace.setSpan(contextFrom(records[0]!.headers), only), work)
    : () =>
        inSpan(
          `process ${records[0]?.attributes.topic ?? ''} batch`,
          { kind: SpanKind.CONSUMER, attributes: { 'messaging.batch.message_count': records.length } },
          async (batch) => {
            for (const span of spans) batch.addLink({ context: span.spanContext() });
            return work();
          },
        );
  try {
    const result = await run();
    for (const span of spans) ended(span);
    return result;
  } catch (error) {
    for (const span of spans) ended(span, error);
    throw error;
  }
}
