// Every migration change goes out as a `migration-events` event through the gateway's own outbox
// and relay, and the events service shows it (embedded bus or Kafka, per BUS_BACKEND).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrate } from '@cinemaabyss/db';
import { buildGateway, gatewayMigrations, loadGatewayConfig, openControlRuntime, validateRouteTable } from '@cinemaabyss/gateway';
import { applyChanges } from '../../services/gateway/src/control/state.ts';
import { eventually, setupEventsStack } from '../support/events-stack.ts';
import { quietLogger } from '../support/stack.ts';
import { migrationTable, person } from './support.ts';

describe('migration-events', () => {
  const context = setupEventsStack();

  test('a change shows in the events service as a migration.changed event', async () => {
    const { stack } = context;
    await migrate(stack.db.database, gatewayMigrations);
    const logger = quietLogger();
    const control = await openControlRuntime(loadGatewayConfig({}), logger, { database: stack.db.database, bus: stack.bus });
    const { app, plane } = await buildGateway({
      table: validateRouteTable(migrationTable('http://127.0.0.1:1', 'http://127.0.0.1:2')),
      logger,
      store: control.store,
    });
    try {
      const entry = await plane!.change('movies', (s, now) => applyChanges(s, { percent: 5 }, now), { actor: person, action: 'set', reason: 'first step' });
      type Recent = { type: string; topic: string; key: string; payload: { id: number; reason: string; new: { percent: number } } }[];
      let recent: Recent = [];
      await eventually(
        async () => {
          const response = await fetch(`${stack.events}/api/events/recent?topic=migration-events`);
          recent = (await response.json()) as Recent;
          return response.ok && recent.length > 0;
        },
        30_000,
        'the migration event in the events service',
      );
      const [event] = recent;
      assert.equal(event!.type, 'migration.changed');
      assert.equal(event!.topic, 'migration-events');
      assert.equal(event!.key, 'movies');
      assert.equal(event!.payload.id, entry.id);
      assert.equal(event!.payload.reason, 'first step');
      assert.equal(event!.payload.new.percent, 5);
    } finally {
      await app.close();
      await control.close();
    }
  });
});
