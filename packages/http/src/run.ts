import closeWithGrace from 'close-with-grace';
import type { Logger } from '@cinemaabyss/logging';
import { stopTelemetry } from '@cinemaabyss/telemetry';
import { drain } from './drain.ts';
import { portTaken } from './errors.ts';
import { serviceOf, type App } from './server.ts';

/**
 * Listens and returns the URL it is reachable at (port 0 picks a free port). `variable` names the
 * setting the port came from, for the one-line error a taken port gives (see runService).
 */
export async function listen(app: App, port: number, host: string, variable = 'PORT'): Promise<string> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portTaken(serviceOf(app), port, variable);
    throw error;
  }
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actual}`;
}

export interface ShutdownOptions {
  /** Forced exit after this long. */
  graceMs?: number;
  /** Longest wait for clients to leave the drained apps' keep-alive connections. */
  drainMs?: number;
}

/**
 * On SIGINT/SIGTERM (or a crash), runs `close` once, after draining `apps` (see drain.ts): every
 * request gets its answer or a 503, none meets a reset. `close` then closes the servers (in-flight
 * requests finish) and only then the stores, so no acknowledged write is lost. Forced exit after
 * `graceMs`.
 */
export function closeOnSignals(logger: Logger, close: () => Promise<void>, apps: App[] = [], options: ShutdownOptions = {}): void {
  const { graceMs = 10_000, drainMs = 2_000 } = options;
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down');
    else logger.info({ signal }, 'shutting down');
    await Promise.all(apps.map((app) => drain(app, drainMs)));
    await close();
    await stopTelemetry(); // exports the spans still buffered
    logger.info('stopped');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
}

export interface RunningService {
  logger: Logger;
  /** Listening apps to drain before `close` (see closeOnSignals). */
  apps?: App[];
  close: () => Promise<void>;
}

/** Start-up failures an operator mends by changing a setting: their message alone says what to do. */
const plainly = (error: unknown): error is Error =>
  error instanceof Error && (error.name === 'ConfigError' || (error as { code?: string }).code === 'CA_PORT_TAKEN');

/**
 * Entry-point frame shared by every service: `start` builds and listens; a configuration error or
 * a taken port is printed as its message alone with exit code 1; SIGINT/SIGTERM runs the returned `close`.
 */
export async function runService(start: () => Promise<RunningService>): Promise<void> {
  try {
    const { logger, apps, close } = await start();
    closeOnSignals(logger, close, apps);
  } catch (error) {
    console.error(plainly(error) ? error.message : error);
    process.exit(1);
  }
}
