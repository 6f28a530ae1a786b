// Notifications keep flowing: on PostgreSQL the listening connection is killed under the store,
// which reconnects and asks for a full re-read ('*', changes may have been missed meanwhile).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { createStateStore } from '@cinemaabyss/gateway';
import { eventually } from '../support/events-stack.ts';
import { quietLogger } from '../support/stack.ts';
import { gatewayDatabase } from './support.ts';

test('a lost listening connection is re-established, with a full re-read asked for', async () => {
  const db = await gatewayDatabase();
  const store = await createStateStore(db.database, quietLogger());
  const heard: string[] = [];
  store.onNotify((route) => heard.push(route));
  try {
    if (db.database.kind === 'postgres') {
      const { rows } = await db.database.pool.query(
        "select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = current_database() and query = 'LISTEN gateway_migrations'",
      );
      assert.equal(rows.length, 1);
      await eventually(() => heard.includes('*'), 20_000, 'the reconnect');
    }
    await db.database.db.execute(sql`select pg_notify('gateway_migrations', 'movies')`);
    await eventually(() => heard.includes('movies'), 20_000, 'a notification after it');
  } finally {
    await store.close();
    await db.drop();
  }
});
