export { buildGateway, type Gateway, type GatewayDeps } from './app.ts';
export { GatewayConfig, loadGatewayConfig } from './config.ts';
export { loadRouteTable, matchRoute, tableFromEnv, validateRouteTable, RouteTableError, type RouteTable, type RouteSpec } from './routing/table.ts';
export { OVERRIDE_HEADER } from './routing/decide.ts';
export { signOverride } from './routing/override.ts';
export { SERVED_BY_HEADER } from './proxy/handler.ts';
export { buildAdminApp, embeddedAdminTokens, startAdminServer, type AdminDeps } from './admin/app.ts';
