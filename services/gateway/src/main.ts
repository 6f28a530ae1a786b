import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { startGatewayAdmin } from './admin/app.ts';
import { buildGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';
import { openControlRuntime } from './control/runtime.ts';
import { loadRouteTable } from './routing/table.ts';

// How long a shutdown waits for keep-alive clients to leave (each gets its answer with
// `Connection: close`) before closing what is left; within runService's 10 s grace.
const DRAIN_WINDOW_MS = 2000;

await runService(async () => {
  // First: the logger made next then carries trace ids (tracing is on only with an OTLP endpoint).
  await startTelemetry('gateway');
  const config = loadGatewayConfig();
  const table = loadRouteTable(config);
  const logger = createLogger('gateway', { level: config.LOG_LEVEL });
  const control = await openControlRuntime(config, logger);
  const gateway = await buildGateway({
    table,
    logger,
    overrideSecret: config.GATEWAY_OVERRIDE_SECRET,
    overrideMaxTtlSeconds: config.GATEWAY_OVERRIDE_MAX_TTL_SECONDS,
    maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
    maxHeaderBytes: config.GATEWAY_MAX_HEADER_BYTES,
    accessLog: config.GATEWAY_ACCESS_LOG,
    store: control.store,
    refreshMs: config.GATEWAY_STATE_REFRESH_MS,
    // Every replica's shadow mismatches in one table, so the admin API of any replica shows them all.
    shadow: { database: control.database, replica: control.replicaId },
    // Every replica's window counts in one table; the replica holding the advisory lock judges them.
    analysis: { database: control.database, replicaId: control.replicaId },
  }).catch(async (error: unknown) => {
    await control.close();
    throw error;
  });
  const { app, drain } = gateway;
  const url = await listen(app, config.PORT, config.HOST);
  const admin = await startGatewayAdmin(
    gateway,
    { tokens: config.GATEWAY_ADMIN_TOKENS, port: config.GATEWAY_ADMIN_PORT, host: config.GATEWAY_ADMIN_HOST ?? config.HOST },
    logger,
  );
  // The table as the control plane applied it (a stored state may differ from the environment).
  const routes = table.routes.map((r) => {
    const m = r.migration;
    return `${r.prefix} -> ${r.backend}${m?.enabled ? ` (${m.percent}% to ${m.to}, ${m.mode})` : ''}${r.live ? ` [${r.live.stage}]` : ''}`;
  });
  logger.info({ url, routes, state: control.database.kind, replica: control.replicaId }, `gateway listening on ${url}`);
  return {
    logger,
    close: async () => {
      await drain(DRAIN_WINDOW_MS);
      await Promise.all([app.close(), admin?.app.close()]);
      await control.close();
    },
  };
});
