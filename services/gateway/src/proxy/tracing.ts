import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { tracingEnabled } from '@cinemaabyss/telemetry';
import type { Backend } from './backend.ts';

// The data plane is hand-written on undici's dispatch API, which the OpenTelemetry undici
// instrumentation would see only as anonymous requests: the hops get their spans here, named
// after their backend and marked when they are shadows. With tracing off nothing below runs.

const tracer = trace.getTracer('@cinemaabyss/gateway');

type Headers = Record<string, string | string[]>;

/** The context a proxied request's hops continue (its server span's); undefined when tracing is off. */
export const hopParent = (): Context | undefined => (tracingEnabled() ? context.active() : undefined);

/**
 * A CLIENT span for one hop to `backend`, and the request headers carrying it: the client's
 * `traceparent` is replaced by the hop's (the server span already continues the client's trace).
 */
export function startHop(parent: Context, backend: Backend, method: string, path: string, headers: Headers, shadow: boolean): { span: Span; headers: Headers } {
  const url = new URL(backend.spec.url);
  const span = tracer.startSpan(
    shadow ? `${method} (shadow)` : method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'server.address': url.hostname,
        'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        // Without the query: it may hold an override token.
        'url.path': path.split('?', 1)[0]!,
        'cinemaabyss.backend': backend.name,
        'cinemaabyss.shadow': shadow,
      },
    },
    parent,
  );
  const out: Headers = { ...headers };
  delete out['traceparent'];
  delete out['tracestate'];
  propagation.inject(trace.setSpan(parent, span), out);
  return { span, headers: out };
}

/** Ends a hop: a 5xx answer or a failure to get one is an error (OpenTelemetry's HTTP client conventions). */
export function endHop(span: Span | undefined, status: number, failure?: string): void {
  if (!span) return;
  if (status > 0) span.setAttribute('http.response.status_code', status);
  if (failure !== undefined || status >= 500) {
    span.setAttribute('error.type', failure ?? String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
