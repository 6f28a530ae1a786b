// The transactional outbox, in one place: its table (schema.ts), the producers' write side
// (write.ts), the operator's queries and commands (store.ts, commands.ts, cli.ts), the relay that
// publishes it to the event bus (relay.ts), its readiness check and metrics (monitor.ts) and its
// settings. What the events are (their types, topics, keys) is the catalogue's, in packages/api.
export { outbox, outboxColumns, outboxIndexes, outboxInSchema, type OutboxRow, type OutboxTable } from './schema.ts';
export { enqueueEvent, outboxRecord, type DomainEvent } from './write.ts';
export {
  listOutbox,
  outboxStates,
  outboxStatesOf,
  outboxStatus,
  parkOutboxRow,
  unparkOutboxRow,
  type OutboxState,
  type OutboxStatus,
  type ParkResult,
} from './store.ts';
export { MONOLITH_OUTBOX_LOCK, startOutboxRelay, type OutboxRelay, type RelayOptions } from './relay.ts';
export { monitorOutbox, type OutboxMonitor } from './monitor.ts';
export { OutboxSettings } from './settings.ts';
export { startPublishing, type Publishing, type PublishingOptions } from './publishing.ts';
