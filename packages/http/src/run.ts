import closeWithGrace from 'close-with-grace';
import type { Logger } from '@cinemaabyss/logging';
import type { App } from './server.ts';

/** Listens and returns the URL it is reachable at (port 0 picks a free port). */
export async function listen(app: App, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actual}`;
}

/**
 * On SIGINT/SIGTERM (or a crash), runs `close` once: servers stop accepting, in-flight requests
 * finish, then stores are closed so no acknowledged write is lost. Forced exit after `graceMs`.
 */
export function closeOnSignals(logger: Logger, close: () => Promise<void>, graceMs = 10_000): void {
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down');
    else logger.info({ signal }, 'shutting down');
    await close();
    logger.info('stopped');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
}

export interface RunningService {
  logger: Logger;
  close: () => Promise<void>;
}

/**
 * Entry-point frame shared by every service: `start` builds and listens; a configuration error is
 * printed plainly with exit code 1; SIGINT/SIGTERM runs the returned `close`.
 */
export async function runService(start: () => Promise<RunningService>): Promise<void> {
  try {
    const { logger, close } = await start();
    closeOnSignals(logger, close);
  } catch (error) {
    console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
    process.exit(1);
  }
}
