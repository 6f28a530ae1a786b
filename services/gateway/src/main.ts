import { listen, runService } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';
import { loadRouteTable } from './routing/table.ts';

await runService(async () => {
  const config = loadGatewayConfig();
  const table = loadRouteTable(config);
  const logger = createLogger('gateway', { level: config.LOG_LEVEL });
  const { app } = await buildGateway({
    table,
    logger,
    overrideSecret: config.GATEWAY_OVERRIDE_SECRET,
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
  return { logger, close: () => app.close() };
});
