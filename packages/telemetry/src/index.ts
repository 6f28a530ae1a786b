export { startTelemetry, stopTelemetry, tracingEnabled } from './start.ts';
export { TelemetrySettings, type TelemetrySettingValues } from './settings.ts';
export { contextFrom, currentTraceContext, recordTrace, traceFields, type TraceCarrier } from './context.ts';
export { consuming, producing, type RecordAttributes } from './messaging.ts';
export { inSpan } from './spans.ts';
export { traceQueries } from './database.ts';
