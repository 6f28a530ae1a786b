import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

export const tracer = trace.getTracer('@cinemaabyss/telemetry');

/** Ends a span, as failed when `error` is given. */
export function ended(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Runs `work` in a span (ended with its outcome); `parent` defaults to the active context. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, options.parent ?? context.active());
  try {
    const result = await context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
    ended(span);
    return result;
  } catch (error) {
    ended(span, error);
    throw error;
  }
}
