import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';

/** An error whose status and message are meant for the client. */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const badRequest = (message: string) => new HttpError(400, message);

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

/** Every failure becomes `{"error": "..."}`; internals (SQL, stacks) stay in the log. */
export function errorHandler(options: ErrorHandlerOptions) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // A serializer set for a successful answer must not be used for this error body.
    reply.serializer(JSON.stringify);
    if (error.validation) return reply.code(400).send({ error: error.message });
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.message });
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(400).send({ error: `request body is larger than ${options.bodyLimit} bytes` });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send({ error: 'request body is empty but content-type is application/json' });
    }
    const status = error.statusCode ?? 500;
    if (status === 400 && (error instanceof SyntaxError || error.name === 'SyntaxError')) {
      return reply.code(400).send({ error: 'request body is not valid JSON' });
    }
    if (status >= 400 && status < 500 && error.code?.startsWith('FST_')) {
      return reply.code(status).send({ error: error.message });
    }
    if (options.isUnavailable(error)) {
      request.log.warn({ err: error }, 'dependency unavailable');
      return reply.code(503).send({ error: 'service temporarily unavailable' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'internal server error' });
  };
}
