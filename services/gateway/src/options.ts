// The one mapping from the gateway's configuration to what buildGateway takes, shared by the
// standalone gateway (main.ts) and the embedded mode, so a new setting is declared in config.ts
// and wired here, nowhere else.
import type { Logger } from '@cinemaabyss/logging';
import type { GatewayDeps } from './app.ts';
import type { GatewayConfig } from './config.ts';
import type { ControlRuntime } from './control/runtime.ts';
import type { RouteTable } from './routing/table.ts';
import { viewerBuild } from './web/static.ts';

export function gatewayDeps(config: GatewayConfig, table: RouteTable, control: ControlRuntime, logger: Logger): GatewayDeps {
  return {
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
    // The viewer web app's production build, served at / (web/viewer/dist unless GATEWAY_VIEWER_DIR).
    web: viewerBuild(config.GATEWAY_VIEWER_DIR, logger),
    // Its own outbox's gauges (migration-events) on /metrics, when a relay publishes it.
    outbox: control.publishing?.outbox,
  };
}

/**
 * Where the admin API listens, whom it lets in (`tokens` as configured, or embedded mode's own) and
 * where its events view reads the events service.
 */
export const adminOptions = (config: GatewayConfig, tokens = config.GATEWAY_ADMIN_TOKENS) => ({
  tokens,
  port: config.GATEWAY_ADMIN_PORT,
  host: config.GATEWAY_ADMIN_HOST ?? config.HOST,
  eventsUrl: config.GATEWAY_EVENTS_ADMIN_URL ?? config.EVENTS_SERVICE_URL,
});
