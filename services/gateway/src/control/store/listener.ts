import { listenTo, type Database } from '@cinemaabyss/db';

export const CHANNEL = 'gateway_migrations';

type Log = { info(o: object, m: string): void; warn(o: object, m: string): void };

/** Delivers NOTIFY payloads of `CHANNEL`; `onReconnect` tells the caller that notifications may have been missed meanwhile. */
export function listen(database: Database, log: Log, onPayload: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>> {
  return listenTo(database, { channel: CHANNEL, log, onPayload: (payload) => payload && onPayload(payload), onReconnect });
}
