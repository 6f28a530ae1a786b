import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LoggingOptions {
  level?: string;
  /** Buffered asynchronous writes: a log line never costs a synchronous write on the request path. */
  async?: boolean;
}

/**
 * One JSON logger per service; `service` appears on every line so merged logs stay readable.
 * With `service` null (several services in one process) children add it: `logger.child({ service })`.
 */
export function createLogger(service: string | null, options: LoggingOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: service ? { service } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  if (options.async === false) return pino(config);
  return pino(config, pino.destination({ sync: false }));
}
