// The admin API: a Fastify app of its own, on its own port (GATEWAY_ADMIN_PORT), never reachable
// through the gateway's public port (whose every path but its own is proxied).
import { createServer, listen, type App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';
import { SECURITY_SCHEMES, requireTokens } from './auth.ts';
import { serveConsole } from './console.ts';
import { eventsAdmin } from './events.ts';
import { adminRoutes, type AdminDeps } from './routes.ts';
import { generatedOperatorToken, parseAdminTokens, type AdminToken } from './tokens.ts';

export type { AdminDeps } from './routes.ts';

export interface AdminAppOptions extends AdminDeps {
  tokens: readonly AdminToken[];
  logger: Logger;
  /** The console's production build, served at `/` without a token (the page asks for one). */
  consoleRoot?: string;
}

export async function buildAdminApp(options: AdminAppOptions): Promise<App> {
  const app = await createServer({
    service: 'gateway-admin',
    title: 'CinemaAbyss gateway admin API',
    description: 'Reads and changes the migration of each route; bearer tokens (viewer reads, operator changes)',
    logger: options.logger,
    // Liveness of the admin server itself: readiness with no checks.
    readyPath: '/admin/health',
    bodyLimit: 64 * 1024,
    securitySchemes: SECURITY_SCHEMES,
  });
  requireTokens(app, options.tokens);
  adminRoutes(app, options);
  await serveConsole(app, options.consoleRoot, options.logger);
  app.get('/admin/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export interface AdminServerOptions extends AdminDeps {
  consoleRoot?: string;
  /** GATEWAY_ADMIN_TOKENS, already validated with the rest of the configuration. */
  tokens: string | undefined;
  port: number;
  host: string;
  logger: Logger;
}

/** Builds and opens the admin API; with no tokens configured it stays closed (logged) and returns undefined. */
export async function startAdminServer(options: AdminServerOptions): Promise<{ app: App; url: string } | undefined> {
  const { tokens, problems } = parseAdminTokens(options.tokens);
  if (problems.length > 0) throw new Error(`GATEWAY_ADMIN_TOKENS is invalid: ${problems.join('; ')}`);
  if (tokens.length === 0) {
    options.logger.warn('GATEWAY_ADMIN_TOKENS is not set: the admin API is not opened');
    return undefined;
  }
  const app = await buildAdminApp({ ...options, tokens });
  const url = await listen(app, options.port, options.host);
  options.logger.info({ url, tokens: tokens.map((t) => `${t.label} (${t.role})`) }, `admin API listening on ${url}`);
  return { app, url };
}

/**
 * Embedded mode (`npm start`): the configured tokens, or else one random operator token made now
 * and printed once on stdout, so a person at the terminal can use the CLI.
 */
export function embeddedAdminTokens(configured: string | undefined, print: (line: string) => void = console.log): string {
  if (configured !== undefined && configured.trim() !== '') return configured;
  const { raw, token } = generatedOperatorToken();
  print(`admin API operator token (this run only): export CINEMAABYSS_ADMIN_TOKEN=${token}`);
  return raw;
}

/** What the admin API needs of a running gateway: one with a control plane (a store was given). */
export interface ControlledGateway {
  plane?: AdminDeps['plane'];
  shadow: { reporter: AdminDeps['shadow'] };
  analysis?: { reporter: AdminDeps['analysis'] };
  backends: AdminDeps['backends'];
  traffic: AdminDeps['traffic'];
}

/** Starts the admin API of `gateway` (the gateway's main and embedded mode alike); undefined without tokens. */
export function startGatewayAdmin(
  gateway: ControlledGateway,
  settings: { tokens: string | undefined; port: number; host: string; eventsUrl: string; consoleRoot?: string },
  logger: Logger,
): Promise<{ app: App; url: string } | undefined> {
  if (!gateway.plane || !gateway.analysis) throw new Error('the admin API needs a gateway built with a state store');
  const { eventsUrl, ...server } = settings;
  return startAdminServer({
    plane: gateway.plane,
    shadow: gateway.shadow.reporter,
    analysis: gateway.analysis.reporter,
    backends: gateway.backends,
    traffic: gateway.traffic,
    events: eventsAdmin(eventsUrl),
    ...server,
    logger,
  });
}
