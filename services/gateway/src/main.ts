import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { startTelemetry } from '@cinemaabyss/telemetry';
import { startGatewayAdmin } from './admin/app.ts';
import { buildGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';
import { openControlRuntime } from './control/runtime.ts';
import { adminOptions, gatewayDeps } from './options.ts';
import { loadRouteTable } from './routing/table.ts';

// How long a shutdown waits for keep-alive clients to leave (each gets its answer with
// `Connection: close`) before closing what is left; within runService's 10 s grace.
const DRAIN_WINDOW_MS = 2000;

await runService(async () => {
  const config = loadGatewayConfig();
  // Before the logger (its lines then carry trace ids) and the database; on only with an OTLP endpoint.
  await startTelemetry('gateway', config);
  const table = loadRouteTable(config);
  const logger = createLogger('gateway', { level: config.LOG_LEVEL });
  const control = await openControlRuntime(config, logger);
  const gateway = await buildGateway(gatewayDeps(config, table, control, logger)).catch(async (error: unknown) => {
    await control.close();
    throw error;
  });
  const { app, drain } = gateway;
  const url = await listen(app, config.PORT, config.HOST);
  const admin = await startGatewayAdmin(gateway, adminOptions(config), logger);
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
