let enabled = false;
let stop: () => Promise<void> = async () => {};

/** True once startTelemetry started the SDK: hand-written instrumentation (the gateway's proxy) skips all work otherwise. */
export const tracingEnabled = (): boolean => enabled;

/** OTEL_SDK_DISABLED as the specification reads it: only a case-insensitive "true" disables. */
const disabled = (env: NodeJS.ProcessEnv) => env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true';

/**
 * Starts OpenTelemetry tracing for `service` when an OTLP endpoint is configured
 * (OTEL_EXPORTER_OTLP_ENDPOINT, or the traces-only OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); off otherwise.
 * Call it before the service's other modules load (main.ts imports them afterwards): the
 * instrumentations patch `pg` and `node:http` as they are loaded. The SDK is imported only when
 * tracing is on, so a service without an endpoint loads nothing but the API.
 */
export async function startTelemetry(service: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (enabled || disabled(env)) return;
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return;
  const { startSdk } = await import('./sdk.ts');
  stop = startSdk(service, env);
  enabled = true;
}

/** Exports the spans still buffered and stops the SDK (services call it last when they stop). */
export async function stopTelemetry(): Promise<void> {
  if (!enabled) return;
  enabled = false;
  await stop();
}
