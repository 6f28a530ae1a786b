import type { PoolClient } from 'pg';
import type { Database } from './client.ts';

type Log = { info(o: object, m: string): void; warn(o: object, m: string): void };

export interface ListenOptions {
  channel: string;
  log: Log;
  onPayload: (payload: string) => void;
  /** Notifications may have been missed (the connection dropped and came back): re-read what they announce. */
  onReconnect: () => void;
  /** A first connection that fails is retried in the background instead of failing the caller. */
  retryFirst?: boolean;
}

/**
 * Delivers the NOTIFY payloads of one channel. PostgreSQL: a connection taken out of the pool for
 * good (a LISTEN belongs to its session), reconnected with backoff when it drops. PGlite: its own
 * listen API. Returns the function that stops listening.
 */
export async function listenTo(database: Database, options: ListenOptions): Promise<() => Promise<void>> {
  const { channel, log, onPayload, onReconnect } = options;
  if (database.kind === 'pglite') {
    // In-process: it fails only when the database is closed, which no retry would mend.
    try {
      return await database.client.listen(channel, onPayload);
    } catch (error) {
      if (!options.retryFirst) throw error;
      log.warn({ channel, err: error }, 'cannot listen for notifications');
      return async () => {};
    }
  }
  let stopped = false;
  let client: PoolClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  // A connection is given back once: stopping destroys it, which may then also emit 'error'.
  const released = new WeakSet<PoolClient>();
  const release = (c: PoolClient, error: Error | true): void => {
    if (released.has(c)) return;
    released.add(c);
    c.release(error); // destroys the connection
  };
  const connect = async (): Promise<void> => {
    const c = await database.pool.connect();
    c.on('notification', (n) => n.channel === channel && onPayload(n.payload ?? ''));
    c.on('error', (error) => {
      release(c, error);
      if (stopped || client !== c) return;
      client = undefined;
      log.warn({ channel }, 'notifications lost their connection; reconnecting (the periodic re-read covers the gap)');
      schedule();
    });
    try {
      // Channel names are identifiers, not parameters; they are constants of the code, never input.
      await c.query(`LISTEN ${channel}`);
    } catch (error) {
      release(c, error as Error);
      throw error;
    }
    if (stopped) return release(c, true);
    client = c;
  };
  const schedule = (): void => {
    const delay = Math.min(10_000, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
    timer = setTimeout(() => {
      connect().then(
        () => {
          failures = 0;
          if (stopped) return;
          log.info({ channel }, 'notifications reconnected');
          onReconnect();
        },
        () => {
          failures++;
          if (!stopped) schedule();
        },
      );
    }, delay);
  };
  try {
    await connect();
  } catch (error) {
    if (!options.retryFirst) throw error;
    log.warn({ channel, err: error }, 'cannot listen for notifications yet; retrying in the background');
    schedule();
  }
  return async () => {
    stopped = true;
    clearTimeout(timer);
    if (client) release(client, true);
  };
}
