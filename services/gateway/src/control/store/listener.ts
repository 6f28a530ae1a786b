import type { Database } from '@cinemaabyss/db';
import type { PoolClient } from 'pg';

export const CHANNEL = 'gateway_migrations';

type Log = { info(o: object, m: string): void; warn(o: object, m: string): void };

/**
 * Delivers NOTIFY payloads of `CHANNEL`. PostgreSQL: a connection taken out of the pool for good
 * (a LISTEN belongs to its session), reconnected with backoff when it drops; `onReconnect` tells the caller that
 * notifications may have been missed meanwhile. PGlite: its own listen API.
 */
export async function listen(database: Database, log: Log, onPayload: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>> {
  if (database.kind === 'pglite') return database.client.listen(CHANNEL, onPayload);
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
    c.on('notification', (n) => n.channel === CHANNEL && n.payload && onPayload(n.payload));
    c.on('error', (error) => {
      release(c, error);
      if (stopped || client !== c) return;
      client = undefined;
      log.warn({ channel: CHANNEL }, 'state notifications lost their connection; reconnecting (the periodic re-read covers the gap)');
      schedule();
    });
    try {
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      release(c, error as Error);
      throw error;
    }
    client = c;
  };
  const schedule = (): void => {
    const delay = Math.min(10_000, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
    timer = setTimeout(() => {
      connect().then(
        () => {
          failures = 0;
          log.info({ channel: CHANNEL }, 'state notifications reconnected');
          onReconnect();
        },
        () => {
          failures++;
          if (!stopped) schedule();
        },
      );
    }, delay);
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    if (client) release(client, true);
  };
}
