import type { TelemetrySettingValues } from './settings.ts';

let enabled = false;
let stop: () => Promise<void> = async () => {};

/** True once startTelemetry started the SDK: hand-written instrumentation (the gateway's proxy) skips all work otherwise. */
export const tracingEnabled = (): boolean => enabled;

/**
 * Starts OpenTelemetry tracing for `service` when an OTLP endpoint is configured; off otherwise.
 * Call it before the service makes its logger (log lines then carry trace ids) and opens its
 * database. The SDK is imported only when tracing is on: a service without an endpoint loads
 * nothing but the API.
 */
export async function startTelemetry(service: string, settings: TelemetrySettingValues): Promise<void> {
  if (enabled || settings.OTEL_SDK_DISABLED) return;
  if (!settings.OTEL_EXPORTER_OTLP_ENDPOINT && !settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return;
  const { startSdk } = await import('./sdk.ts');
  stop = startSdk(settings.OTEL_SERVICE_NAME ? undefined : service);
  enabled = true;
}

/** Exports the spans still buffered and stops the SDK (services call it last when they stop). */
export async function stopTelemetry(): Promise<void> {
  if (!enabled) return;
  enabled = false;
  await stop();
}
