import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';

/** W3C trace context headers (`traceparent`, `tracestate`) as text, the form records and rows carry. */
export type TraceCarrier = Record<string, string>;

/** The active span's trace context as headers; undefined outside a trace (or with tracing off). */
export function currentTraceContext(): TraceCarrier | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ? carrier : undefined;
}

/** The context a carrier continues; the root context when it carries none. */
export function contextFrom(carrier: TraceCarrier | null | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** For log lines: the trace and span ids of `from` (default: the active context), or nothing outside a trace. */
export function traceFields(from?: Context): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(from ?? context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** For the log line of a record: the trace its headers continue (the record's own, even when processed in a batch). */
export function recordTrace(carrier: TraceCarrier): { trace_id?: string } {
  const traceId = trace.getSpan(contextFrom(carrier))?.spanContext().traceId;
  return traceId ? { trace_id: traceId } : {};
}
