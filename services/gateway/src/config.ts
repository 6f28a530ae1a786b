import { LogLevel, Port, Type, loadConfig, type Static } from '@cinemaabyss/config';
import { BusSettings } from '@cinemaabyss/event-bus';
import { OutboxSettings } from '@cinemaabyss/outbox';
import { TelemetrySettings } from '@cinemaabyss/telemetry';
import { parseAdminTokens } from './admin/tokens.ts';

/** Defaults the gateway also applies when built without a configuration (tests, embedded mode). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_OVERRIDE_MAX_TTL_SECONDS = 86_400;

// The simple form of the route table: the environment variables existing deployments use.
// GATEWAY_CONFIG names a JSON route table for anything more (see routing/table.ts).
export const GatewayConfig = Type.Object({
  PORT: Port(8000),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
  LOG_LEVEL: LogLevel,
  ...TelemetrySettings,
  MONOLITH_URL: Type.String({ format: 'uri', pattern: '^https?://', default: 'http://localhost:8080', description: 'Origin of the monolith' }),
  MOVIES_SERVICE_URL: Type.String({ format: 'uri', pattern: '^https?://', default: 'http://localhost:8081', description: 'Origin of the movies service' }),
  EVENTS_SERVICE_URL: Type.String({ format: 'uri', pattern: '^https?://', default: 'http://localhost:8082', description: 'Origin of the events service' }),
  GRADUAL_MIGRATION: Type.Boolean({ default: false, description: 'Send MOVIES_MIGRATION_PERCENT of movie traffic to the movies service' }),
  MOVIES_MIGRATION_PERCENT: Type.Integer({
    minimum: 0,
    maximum: 100,
    default: 0,
    description: 'Share of movie traffic (users) the movies service gets when GRADUAL_MIGRATION is on',
  }),
  MIGRATION_MODE: Type.String({ enum: ['sticky', 'random'], default: 'sticky', description: 'sticky: by user/session bucket; random: per request' }),
  GATEWAY_CONFIG: Type.Optional(Type.String({ minLength: 1, description: 'Path of a JSON route table (replaces the simple form)' })),
  GATEWAY_OVERRIDE_SECRET: Type.Optional(
    Type.String({ minLength: 16, description: 'HMAC secret for the signed backend-override header; unset disables overrides' }),
  ),
  GATEWAY_OVERRIDE_MAX_TTL_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 31 * 86_400,
    default: DEFAULT_OVERRIDE_MAX_TTL_SECONDS,
    description: 'Override tokens expiring further ahead than this are refused',
  }),
  GATEWAY_MAX_BODY_BYTES: Type.Integer({
    minimum: 1024,
    default: DEFAULT_MAX_BODY_BYTES,
    description: "Ceiling on request bodies; each route's limit (by default its backend's, 1 MiB) applies within it",
  }),
  GATEWAY_ACCESS_LOG: Type.Boolean({ default: true, description: 'One JSON log line per proxied request (at info level)' }),
  GATEWAY_MAX_HEADER_BYTES: Type.Integer({ minimum: 1024, maximum: 65536, default: 16384, description: 'Largest request header block' }),
  // Runtime control (issue #10): where the migrations' state lives and how replicas learn of changes.
  GATEWAY_DB_CONNECTION_STRING: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL URL of the migration state (schema gateway), shared by every replica; unset: in-memory PGlite, not persisted nor shared',
    }),
  ),
  GATEWAY_STATE_REFRESH_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 5000,
    description: 'Re-read of the stored state besides notifications, so a missed one cannot leave a replica behind',
  }),
  GATEWAY_REPLICA_ID: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9._:-]{1,100}$', description: "This replica's name in shared tables (default hostname-pid)" }),
  ),
  // The gateway's own outbox (audit entries as migration-events) goes out on this bus; unset: kept in gateway.outbox.
  ...BusSettings,
  ...OutboxSettings,
  GATEWAY_VIEWER_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: "The viewer web app's build, served at / (default: this repository's web/viewer/dist); without an index.html it is not served",
    }),
  ),
  GATEWAY_ADMIN_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8001, description: 'Port of the admin API (never the public one)' }),
  GATEWAY_ADMIN_HOST: Type.Optional(Type.String({ minLength: 1, description: 'Interface of the admin API (default: HOST)' })),
  GATEWAY_EVENTS_ADMIN_URL: Type.Optional(
    Type.String({
      format: 'uri',
      pattern: '^https?://',
      description: "The events service's own port, whose /admin endpoints the console's events view reads through the admin API (default EVENTS_SERVICE_URL)",
    }),
  ),
  GATEWAY_ADMIN_TOKENS: Type.Optional(
    Type.String({
      description: 'Admin API bearer tokens: comma-separated label:role:token (role viewer|operator, token >= 24 chars); unset: the admin API stays closed',
    }),
  ),
});
export type GatewayConfig = Static<typeof GatewayConfig>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  loadConfig('gateway', GatewayConfig, env, { refine: (config) => parseAdminTokens(config['GATEWAY_ADMIN_TOKENS'] as string | undefined).problems });
