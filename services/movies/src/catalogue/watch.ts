import { MOVIES_CHANGED_CHANNEL, listenTo, type Database } from '@cinemaabyss/db';
import type { Logger } from '@cinemaabyss/logging';
import type { Catalogue } from './catalogue.ts';

/**
 * Keeps `catalogue` current with writes made by any process: the movie tables' triggers NOTIFY
 * on every change, which invalidates it. A notification can be lost while the LISTEN connection is
 * down, so the catalogue is also invalidated on reconnect and read again every `recheckMs`; a
 * failed re-read invalidates it too, so a request then meets the database (503 if it is down)
 * rather than an answer nobody can vouch for. Returns the function that stops watching.
 */
export async function watchCatalogue(database: Database, catalogue: Catalogue, logger: Logger, recheckMs: number): Promise<() => Promise<void>> {
  const invalidate = () => catalogue.invalidate();
  const unlisten = await listenTo(database, { channel: MOVIES_CHANGED_CHANNEL, log: logger, onPayload: invalidate, onReconnect: invalidate, retryFirst: true });
  const timer = setInterval(() => {
    if (!catalogue.warm) return;
    catalogue.refresh().catch((error: unknown) => {
      logger.warn({ err: error }, 'catalogue re-check failed; the next request reads the database');
      invalidate();
    });
  }, recheckMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await unlisten();
  };
}
