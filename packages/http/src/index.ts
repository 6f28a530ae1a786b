export { createServer, DEFAULT_BODY_LIMIT, DOCS_PATH, NotReady, type App, type ServerOptions } from './server.ts';
export { badRequest, conflict, forbidden, gone, notFound, unauthorized, unavailable, unprocessable, unsupportedMediaType } from './errors.ts';
export { closeOnSignals, listen, runService, type RunningService, type ShutdownOptions } from './run.ts';
export { oneOrMany } from './serialize.ts';
export { notModified } from './conditional.ts';
export { installMetrics } from './metrics.ts';
export { requestIdOf } from './request-id.ts';
export { connectionsClosed } from './drain.ts';
