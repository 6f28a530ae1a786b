import { createRequire } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';

// Paths whose server spans are noise: probes and scrapes every few seconds.
const UNTRACED = new Set(['/health', '/healthz', '/ready', '/readyz', '/metrics']);

/**
 * The Node SDK, configured from the standard OTEL_* variables (endpoint, protocol, headers,
 * sampler, batch sizes, OTEL_SERVICE_NAME unless `service` is given), exporting traces only:
 * metrics are Prometheus scrapes (prom-client) and logs are pino lines on stdout.
 */
export function startSdk(service: string | undefined): () => Promise<void> {
  const sdk = new NodeSDK({
    ...(service ? { serviceName: service } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED.has((request.url ?? '').split('?')[0]!),
      }),
      // Statements (parameterised, never their values) as span attributes; no span for a
      // query outside a trace (the outbox relay's polling, the consumers' fetches).
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  // The services import these as ES modules, which the require hook does not see, and may have
  // loaded them already: requiring them here lets it patch the module objects they share with
  // the ES imports (pg's Client prototype, node:http's Server prototype).
  const require = createRequire(import.meta.url);
  for (const name of ['node:http', 'pg']) require(name);
  return () => sdk.shutdown();
}
