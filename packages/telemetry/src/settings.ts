import { Flag, Type } from '@cinemaabyss/config';

/**
 * The OpenTelemetry variables a service reads to decide whether it traces. The SDK reads these
 * and the other standard OTEL_* variables itself (protocol, headers, sampler, batching).
 */
export const TelemetrySettings = {
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'OTLP endpoint (e.g. http://127.0.0.1:4318): set, the service exports traces to it; unset, tracing is off. The SDK reads the other standard OTEL_* variables (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_BSP_*)',
    }),
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'Traces-only OTLP endpoint, the full URL (…/v1/traces); also turns tracing on' }),
  ),
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1, description: "Service name of the spans (default: the service's own name)" })),
  OTEL_SDK_DISABLED: Flag(false, 'true turns tracing off whatever the endpoint'),
};

/** The values startTelemetry reads (a service's loaded configuration has them). */
export interface TelemetrySettingValues {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
  OTEL_SDK_DISABLED?: boolean | undefined;
}
