// A gateway for bench/tracing.ts: every path proxied to UPSTREAM, access log off. TRACING=on
// starts the OpenTelemetry SDK first (OTEL_EXPORTER_OTLP_ENDPOINT: the benchmark's sink);
// GATEWAY_SRC=<folder> runs another checkout's gateway source (the baseline) instead of this one's.
//   UPSTREAM=<url> PORT=<port> TRACING=on|off [GATEWAY_SRC=<dir>] node --conditions=source bench/lib/tracing-gateway.ts
import { pathToFileURL } from 'node:url';
import { listen } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';

if (process.env['TRACING'] === 'on') await startTelemetry('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] });
const source = process.env['GATEWAY_SRC'];
const { buildGateway, validateRouteTable } = (await import(
  source ? pathToFileURL(`${source}/index.ts`).href : '@cinemaabyss/gateway'
)) as typeof import('@cinemaabyss/gateway');

const upstream = process.env['UPSTREAM']!;
const table = validateRouteTable({ backends: { monolith: { url: upstream } }, routes: [{ name: 'all', prefix: '/', backend: 'monolith' }] });
const { app } = await buildGateway({ table, logger: createLogger('gateway', { level: 'warn' }), accessLog: false });
await listen(app, Number(process.env['PORT']), '127.0.0.1');
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
