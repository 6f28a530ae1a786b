export { createServer, type App, type ServerOptions } from './server.ts';
export { HttpError, badRequest, notFound } from './errors.ts';
export { closeOnSignals, listen, runService, type RunningService } from './run.ts';
export { oneOrMany } from './serialize.ts';
export { installMetrics } from './metrics.ts';
export { requestIdOf } from './request-id.ts';
