// A gateway for bench/shadow.ts: route `movies` in stage shadow (served by the old backend),
// mirroring SHADOW_PERCENT % of its GETs to the new one, its live state set as the control plane
// would. Run as a child process:
//   PORT=<port> OLD_URL=<url> NEW_URL=<url> SHADOW_PERCENT=100 node --conditions=source bench/lib/shadow-gateway.ts
import { buildGateway, loadGatewayConfig, tableFromEnv, validateRouteTable } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { initialState } from '../../services/gateway/src/control/state.ts';

const env = (name: string) =>
  process.env[name] ??
  (() => {
    throw new Error(`${name} is required`);
  })();
const config = loadGatewayConfig({ MONOLITH_URL: env('OLD_URL'), MOVIES_SERVICE_URL: env('NEW_URL'), EVENTS_SERVICE_URL: env('OLD_URL') });
const table = validateRouteTable(tableFromEnv(config));
const index = table.routes.findIndex((r) => r.name === 'movies');
const route = table.routes[index]!;
const state = initialState(route, new Date())!;
const live = { ...state, stage: 'shadow' as const, enabled: true, shadow: { ...state.shadow, percent: Number(env('SHADOW_PERCENT')) } };
table.routes[index] = { ...route, live };

const gateway = await buildGateway({ table, logger: createLogger('gateway', { level: 'warn' }), accessLog: false });
await listen(gateway.app, Number(env('PORT')), '127.0.0.1');
const stop = () => void gateway.app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
