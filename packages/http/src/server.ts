import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions as HttpServerOptions, type ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { HealthStatus, Readiness } from '@cinemaabyss/api';
import type { Logger } from '@cinemaabyss/logging';
import { acceptJsonOnly } from './body.ts';
import { clientErrorHandler } from './client-error.ts';
import { installDrain } from './drain.ts';
import { errorHandler, formatValidationError } from './errors.ts';
import { answerUnrouted } from './methods.ts';
import { documentErrorAnswers } from './openapi.ts';
import { protocolViolation, refuse } from './protocol.ts';
import { strictQueryNumbers } from './query.ts';
import { requestIdOf } from './request-id.ts';
import { installMetrics } from './metrics.ts';
import type { Registry } from 'prom-client';

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export interface ServerOptions {
  service: string;
  title: string;
  version?: string;
  description?: string;
  logger: Logger;
  /** `{"status": true}` liveness answer: the process is up (omit to register your own). */
  healthPath?: string;
  /**
   * Readiness: every check must pass, else 503. A check may resolve with a word other than 'ok'
   * (e.g. 'degraded'): reported under its name, and the service stays ready (200).
   */
  readyPath: string;
  readiness?: Record<string, () => Promise<unknown>>;
  isUnavailable?: (error: unknown) => boolean;
  bodyLimit?: number;
  /** One log line per request (default on); a service that logs its own lines turns it off. */
  logRequests?: boolean;
  /** Largest request header block accepted (Node's default is 16 KiB); larger ones get 431. */
  maxHeaderBytes?: number;
  /** Prometheus registry to expose (a service registers its own metrics on it); one is made if absent. */
  registry?: Registry;
  /**
   * Requests this answers (returns true for) never enter Fastify: for a data plane whose per-request
   * budget is smaller than Fastify's lifecycle (the gateway's proxy). Fastify serves the rest.
   */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * Adds to the generated OpenAPI document what its routes cannot say (the gateway's proxied
   * paths); the document `/docs` shows.
   */
  document?: (generated: Record<string, unknown>) => Record<string, unknown>;
  /** OpenAPI security schemes that routes name in their `schema.security`. */
  securitySchemes?: Record<string, { type: 'http'; scheme: 'bearer' | 'basic'; description?: string }>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The node:http server of every service: requests HTTP/1.1 says to refuse are answered first (Node
 * lets them through), then each request is offered to `intercept` (if any) before Fastify's handler.
 */
function guardedServer(intercept: ServerOptions['intercept']) {
  return (handler: Handler, opts: Record<string, unknown>): Server => {
    // The Host rules are checked by protocolViolation, which answers in JSON like every error.
    const options = { ...((opts['http'] ?? {}) as HttpServerOptions), requireHostHeader: false };
    const server = createHttpServer(options, (req, res) => {
      const violation = protocolViolation(req);
      if (violation) return refuse(res, ...violation);
      if (!intercept?.(req, res)) handler(req, res);
    });
    // What Fastify sets on the servers it makes itself.
    server.keepAliveTimeout = opts['keepAliveTimeout'] as number;
    server.requestTimeout = opts['requestTimeout'] as number;
    server.setTimeout(opts['connectionTimeout'] as number);
    return server;
  };
}

// Bodies are validated as sent: no type coercion, no silent removal of unknown fields.
// multipleOfPrecision: `multipleOf: 0.01` would otherwise refuse cents such as 0.07 (0.07 / 0.01 is not an integer in binary).
const bodyAjv = addFormats(new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false, multipleOfPrecision: 3 }));
// Query strings are text by nature: `?id=7` becomes the integer 7.
const queryAjv = addFormats(new Ajv({ coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false }));

/** The largest request body a service accepts unless it sets its own (the gateway's default limit per backend). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const READY_TIMEOUT_MS = 2000;

/** Where every service serves its interactive API documentation (its assets below it). */
export const DOCS_PATH = '/docs';

/** Thrown by a readiness check that fails with a state of its own to report (e.g. 'stuck'), not 'unavailable'. */
export class NotReady extends Error {
  readonly state: string;
  constructor(state: string, message: string) {
    super(message);
    this.name = 'NotReady';
    this.state = state;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const services = new WeakMap<App, string>();

/** The `service` name an app was created with (for messages about it). */
export const serviceOf = (app: App): string => services.get(app) ?? 'service';

/** A Fastify app with the behaviour every CinemaAbyss service shares; the caller adds routes. */
export async function createServer(options: ServerOptions): Promise<App> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const onError = errorHandler({ bodyLimit, isUnavailable: options.isUnavailable ?? (() => false) });
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Fastify would take the header verbatim; requestIdOf keeps only sane client ids.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => requestIdOf(req.headers, randomUUID),
    // While closing, the drain hook answers 503 in the `{"error"}` shape (Fastify's has more fields).
    return503OnClosing: false,
    clientErrorHandler,
    // Errors of the router itself (a URL with broken percent-encoding) are answered like the rest.
    frameworkErrors: onError,
    ...(options.maxHeaderBytes ? { http: { maxHeaderSize: options.maxHeaderBytes } } : {}),
    serverFactory: guardedServer(options.intercept),
    forceCloseConnections: 'idle',
    schemaErrorFormatter: formatValidationError,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  services.set(app, options.service);

  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema as object) : strictQueryNumbers(schema as object, queryAjv.compile(schema as object)),
  );
  app.setErrorHandler(onError);
  acceptJsonOnly(app);
  // Hook order matters: a draining app closes the connection of whatever answers next.
  installDrain(app);
  answerUnrouted(app);
  documentErrorAnswers(app);

  if (options.logRequests !== false)
    app.addHook('onResponse', async (request, reply) => {
      request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version ?? '0.1.0', description: options.description ?? '' },
      ...(options.securitySchemes ? { components: { securitySchemes: options.securitySchemes } } : {}),
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Interactive documentation of the same document (Swagger UI, its assets served from the package).
  await app.register(swaggerUi, { routePrefix: DOCS_PATH, ...(options.document ? { transformSpecification: options.document } : {}) });
  installMetrics(app, options.service, options.registry);

  if (options.healthPath) {
    app.get(options.healthPath, { schema: { summary: 'Liveness', tags: ['health'], response: { 200: HealthStatus } } }, async () => ({ status: true }));
  }
  app.get(
    options.readyPath,
    { schema: { summary: 'Readiness: checks dependencies', tags: ['health'], response: { 200: Readiness, 503: Readiness } } },
    async (request, reply) => {
      const checks: Record<string, string> = {};
      let ok = true;
      for (const [name, check] of Object.entries(options.readiness ?? {})) {
        try {
          const state = await withTimeout(check(), READY_TIMEOUT_MS);
          checks[name] = typeof state === 'string' ? state : 'ok';
        } catch (error) {
          ok = false;
          checks[name] = error instanceof NotReady ? error.state : 'unavailable';
          request.log.warn({ check: name, err: error }, 'readiness check failed');
        }
      }
      return reply.code(ok ? 200 : 503).send({ status: ok, checks });
    },
  );
  return app;
}
