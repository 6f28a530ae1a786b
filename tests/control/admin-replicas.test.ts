// The operator's path end to end: a change through replica A's admin API (HTTP, bearer token)
// moves the split on replica B, another gateway on the same database, without a restart; a
// viewer's or a refused change moves nothing anywhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildGateway, createStateStore, startGatewayAdmin, validateRouteTable, type Gateway } from '@cinemaabyss/gateway';
import { listen, type App } from '@cinemaabyss/http';
import type { TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { quietLogger } from '../support/stack.ts';
import { startEcho, type EchoServer } from '../gateway/support.ts';
import { gatewayDatabase, migrationTable, servedBy, startReplica, type Replica } from './support.ts';

const OPERATOR = 'operator-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdefgh';

describe("a change through replica A's admin API reaches replica B", () => {
  let db: TestDatabase;
  let old: EchoServer;
  let fresh: EchoServer;
  let a: Gateway;
  let admin: { app: App; url: string };
  let b: Replica;

  before(async () => {
    db = await gatewayDatabase();
    old = await startEcho('old');
    fresh = await startEcho('new');
    const table = migrationTable(old.url, fresh.url);
    const logger = quietLogger();
    // Replica A as the gateway's main wires it: store, shadow, analysis, admin API on its own port.
    a = await buildGateway({
      table: validateRouteTable(table),
      logger,
      store: await createStateStore(db.database, logger),
      shadow: { database: db.database, replica: 'a' },
      analysis: { database: db.database, replicaId: 'a' },
    });
    await listen(a.app, 0, '127.0.0.1');
    const started = await startGatewayAdmin(
      a,
      { tokens: `alice:operator:${OPERATOR},bob:viewer:${VIEWER}`, port: 0, host: '127.0.0.1', eventsUrl: old.url },
      logger,
    );
    assert.ok(started);
    admin = started;
    b = await startReplica(await db.reopen(), table);
  });
  after(async () => {
    await b?.close();
    await admin?.app.close();
    await a?.app.close();
    await Promise.all([old, fresh].map((s) => s?.close()));
    await db.drop();
  });

  const patch = (token: string, body: unknown) =>
    fetch(`${admin.url}/admin/routes/movies`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('a viewer token and an invalid change move nothing, on either replica', async () => {
    assert.equal((await patch(VIEWER, { changes: { percent: 100 }, reason: 'viewer tries' })).status, 403);
    assert.equal((await patch(OPERATOR, { changes: { percent: 250 }, reason: 'out of range' })).status, 400);
    assert.equal((await patch(OPERATOR, { changes: { percent: 100 } })).status, 400);
    const audit = await fetch(`${admin.url}/admin/audit`, { headers: { authorization: `Bearer ${VIEWER}` } });
    assert.deepEqual(await audit.json(), []);
    assert.equal(b.plane.get('movies')!.version, 0);
    assert.equal(await servedBy(b.url), 'old');
  });

  test("an operator's change through A's admin API moves B's split and is audited under the token's label", async () => {
    const res = await patch(OPERATOR, { changes: { percent: 100 }, reason: 'all in' });
    assert.equal(res.status, 200, await res.clone().text());
    await eventually(() => b.route().migration?.percent === 100, 10_000, "B's split at 100 %");
    for (let i = 0; i < 5; i++) assert.equal(await servedBy(b.url), 'new');
    const audit = (await (await fetch(`${admin.url}/admin/audit?route=movies`, { headers: { authorization: `Bearer ${VIEWER}` } })).json()) as {
      actor: { label: string; kind: string };
      reason: string;
    }[];
    assert.equal(audit.length, 1);
    assert.deepEqual([audit[0]!.actor, audit[0]!.reason], [{ kind: 'person', label: 'alice' }, 'all in']);
  });

  test("the kill switch through A's admin API sends B's traffic back to the old backend", async () => {
    const res = await fetch(`${admin.url}/admin/routes/movies/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'new backend misbehaves' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    await eventually(() => b.route().migration?.enabled === false, 10_000, 'the kill switch on B');
    for (let i = 0; i < 5; i++) assert.equal(await servedBy(b.url), 'old');
  });
});
