// A gateway for bench/tracing.ts: every path proxied to UPSTREAM, access log off. TRACING=on
// starts the OpenTelemetry SDK first (OTEL_EXPORTER_OTLP_ENDPOINT: the benchmark's sink). The
// baseline runs a copy of this file inside its own checkout, so the imports resolve there; the
// telemetry package is imported only when tracing is on (a checkout from before it has none).
//   UPSTREAM=<url> PORT=<port> TRACING=on|off node --conditions=source bench/lib/tracing-gateway.ts
import { buildGateway, validateRouteTable } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';

if (process.env['TRACING'] === 'on') {
  const { startTelemetry } = await import('@cinemaabyss/telemetry');
  await startTelemetry('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] });
}

const upstream = process.env['UPSTREAM']!;
const table = validateRouteTable({ backends: { monolith: { url: upstream } }, routes: [{ name: 'all', prefix: '/', backend: 'monolith' }] });
const { app } = await buildGateway({ table, logger: createLogger('gateway', { level: 'warn' }), accessLog: false });
await listen(app, Number(process.env['PORT']), '127.0.0.1');
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
