// One replica decides: the one holding a PostgreSQL advisory lock on a connection of its own (a
// session lock lives as long as its connection, so a replica that dies or loses its connection
// loses the lock and another takes it). PGlite is one process: its only replica leads.
import type { Database } from '@cinemaabyss/db';
import type { PoolClient } from 'pg';

/** Distinct from the migration lock and the outbox relays' locks. */
export const ANALYSIS_LOCK = 727_274_011;

export interface Leadership {
  /** True while this replica holds the lock (checked on its connection); tries to take it when not. */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

interface Session {
  client: PoolClient;
  /** Destroys the connection (never back to the pool holding the lock); idempotent. */
  drop(error?: Error): void;
}

export function leadership(database: Database): Leadership {
  if (database.kind === 'pglite') return { held: async () => true, release: async () => {} };
  let session: Session | undefined;

  const open = async (): Promise<Session> => {
    const client = await database.pool.connect();
    let dropped = false;
    const s: Session = {
      client,
      drop(error) {
        if (dropped) return;
        dropped = true;
        if (session === s) session = undefined;
        client.release(error ?? true);
      },
    };
    client.on('error', (error) => s.drop(error));
    return s;
  };

  return {
    async held() {
      if (session) {
        try {
          await session.client.query('SELECT 1'); // a connection lost silently is leadership lost
          return true;
        } catch (error) {
          session?.drop(error as Error);
          return false;
        }
      }
      const s = await open();
      try {
        const { rows } = await s.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ANALYSIS_LOCK]);
        if (rows[0]?.ok) {
          session = s;
          return true;
        }
        s.drop();
      } catch (error) {
        s.drop(error as Error);
      }
      return false;
    },
    async release() {
      const s = session;
      if (!s) return;
      // Unlocked at once for the next replica (closing the session would too, once the server notices).
      await s.client.query('SELECT pg_advisory_unlock($1)', [ANALYSIS_LOCK]).catch(() => {});
      s.drop();
    },
  };
}
