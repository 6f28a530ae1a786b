import createError from '@fastify/error';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';

// The registry: every error a service answers with, by code. Handlers throw these; the error
// handler answers any of them as `{"error": message}` with its status, and maps everything else
// (schema violations, Fastify's FST_ERR_* codes, dependency failures, bugs) onto one of them.
const codes = new Set<string>();

function define<A extends unknown[]>(code: string, status: number, message = '%s') {
  codes.add(code);
  // Client errors are not bugs: no stack trace to capture.
  return createError<string, number, A>(code, message, status, Error, false);
}

const BadRequest = define<[string]>('CA_BAD_REQUEST', 400);
const Unauthorized = define<[string]>('CA_UNAUTHORIZED', 401);
const Forbidden = define<[string]>('CA_FORBIDDEN', 403);
const NotFound = define<[string]>('CA_NOT_FOUND', 404);
const MethodNotAllowed = define<[string, string]>('CA_METHOD_NOT_ALLOWED', 405, 'method %s is not allowed on %s');
const Conflict = define<[string]>('CA_CONFLICT', 409);
const PayloadTooLarge = define<[number]>('CA_PAYLOAD_TOO_LARGE', 413, 'request body is larger than %d bytes');
const UnsupportedMediaType = define<[string]>('CA_UNSUPPORTED_MEDIA_TYPE', 415);
const Gone = define<[string]>('CA_GONE', 410);
const Unprocessable = define<[string]>('CA_UNPROCESSABLE', 422);
const Internal = define<[]>('CA_INTERNAL', 500, 'internal server error');
const Unavailable = define<[string]>('CA_UNAVAILABLE', 503);
// Not an answer: a service that cannot start (runService prints the message alone).
const PortTaken = define<[string, number, string]>('CA_PORT_TAKEN', 500, '%s: port %d is taken; set %s to a free port');

export const badRequest = (message: string) => new BadRequest(message);
/** 401: no credentials, or unknown ones (the caller adds its `WWW-Authenticate` challenge). */
export const unauthorized = (message: string) => new Unauthorized(message);
export const forbidden = (message: string) => new Forbidden(message);
export const notFound = (what: string) => new NotFound(`${what} not found`);
export const noRoute = (method: string, path: string) => new NotFound(`no route for ${method} ${path}`);
export const methodNotAllowed = (method: string, path: string) => new MethodNotAllowed(method, path);
export const conflict = (message: string) => new Conflict(message);
export const payloadTooLarge = (limit: number) => new PayloadTooLarge(limit);
export const unsupportedMediaType = (message: string) => new UnsupportedMediaType(message);
export const gone = (message: string) => new Gone(message);
export const unprocessable = (message: string) => new Unprocessable(message);
export const unavailable = (message = 'service temporarily unavailable') => new Unavailable(message);
export const portTaken = (service: string, port: number, variable: string) => new PortTaken(service, port, variable);

/** What an error answer is made of. */
interface ApiError {
  statusCode?: number | undefined;
  message: string;
}

/** One readable sentence for the first schema violation, naming the field. */
export function formatValidationError(errors: Partial<ErrorObject>[], dataVar: string): Error {
  const e = errors[0] ?? {};
  const field = (e.instancePath ?? '').split('/').filter(Boolean).join('.');
  const at = field ? `${dataVar}.${field}` : dataVar;
  const params = (e.params ?? {}) as Record<string, unknown>;
  let message: string;
  if (e.keyword === 'required') message = `${at} is missing required field '${String(params['missingProperty'])}'`;
  else if (e.keyword === 'additionalProperties') message = `${at} has unknown field '${String(params['additionalProperty'])}'`;
  else if (e.keyword === 'type' && field === '' && dataVar === 'body') message = 'body must be a JSON object';
  else message = `${at} ${e.message ?? 'is invalid'}`;
  return new Error(message);
}

export interface ErrorHandlerOptions {
  bodyLimit: number;
  /** Errors meaning a dependency is down: answered 503 rather than 500. */
  isUnavailable: (error: unknown) => boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends `{"error": message}`: the one shape and content type of every error answer. */
export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  // An explicit serializer (and so an explicit type: Fastify sets none when one is given) also
  // replaces one a handler set for its successful answer before failing (see serialize.ts).
  return reply
    .code(error.statusCode ?? 500)
    .type(JSON_TYPE)
    .serializer(JSON.stringify)
    .send({ error: error.message });
}

/** Fastify's own client errors that get our wording or status; the rest keep theirs. */
function fromFastify(error: FastifyError, bodyLimit: number): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('request body is empty but content-type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest('request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType('request body must be application/json');
  }
  // Fastify's other client errors (bad content-length, aborted body, …) say nothing internal.
  const status = error.statusCode ?? 500;
  if (error.code?.startsWith('FST_') && status >= 400 && status < 500) return error;
  return undefined;
}

/** Every failure becomes `{"error": "..."}`; internals (SQL, stacks) stay in the log. */
export function errorHandler(options: ErrorHandlerOptions) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error.validation) return sendError(reply, badRequest(error.message));
    if (codes.has(error.code)) return sendError(reply, error);
    const client = fromFastify(error, options.bodyLimit);
    if (client) return sendError(reply, client);
    if (options.isUnavailable(error)) {
      request.log.warn({ err: error }, 'dependency unavailable');
      return sendError(reply, unavailable());
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new Internal());
  };
}
