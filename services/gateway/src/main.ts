import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';
import { loadRouteTable } from './routing/table.ts';

// How long a shutdown waits for keep-alive clients to leave (each gets its answer with
// `Connection: close`) before closing what is left; within runService's 10 s grace.
const DRAIN_WINDOW_MS = 2000;

await runService(async () => {
  const config = loadGatewayConfig();
  const table = loadRouteTable(config);
  const logger = createLogger('gateway', { level: config.LOG_LEVEL });
  const { app, drain } = await buildGateway({
    table,
    logger,
    overrideSecret: config.GATEWAY_OVERRIDE_SECRET,
    overrideMaxTtlSeconds: config.GATEWAY_OVERRIDE_MAX_TTL_SECONDS,
    maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
    maxHeaderBytes: config.GATEWAY_MAX_HEADER_BYTES,
    accessLog: config.GATEWAY_ACCESS_LOG,
  });
  const url = await listen(app, config.PORT, config.HOST);
  const routes = table.routes.map((r) => {
    const m = r.migration;
    return `${r.prefix} -> ${r.backend}${m?.enabled ? ` (${m.percent}% to ${m.to}, ${m.mode})` : ''}`;
  });
  logger.info({ url, routes }, `gateway listening on ${url}`);
  return {
    logger,
    close: async () => {
      await drain(DRAIN_WINDOW_MS);
      await app.close();
    },
  };
});
