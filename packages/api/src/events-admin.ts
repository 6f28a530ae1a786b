import Type from 'typebox';
import { Timestamp } from './common.ts';

// The events service's operator endpoints (its own port), also relayed by the gateway's admin API
// for the migration console: one definition for both.

const Offset = Type.Union([Type.Integer(), Type.Null()]);

export const DeadLetter = Type.Object({
  id: Type.Integer(),
  topic: Type.String({ description: 'The topic the record failed on (and is replayed to)' }),
  partition: Offset,
  offset: Offset,
  key: Type.String(),
  value: Type.String({ description: 'The original record value, unchanged' }),
  headers: Type.Record(Type.String(), Type.String()),
  error: Type.String(),
  attempts: Type.Integer(),
  failed_at: Timestamp,
  dead_letter: Type.Object({ topic: Type.String(), partition: Type.Integer(), offset: Type.Integer() }),
  replayed_at: Type.Union([Timestamp, Type.Null()]),
});

export const ReplayResult = Type.Object({
  replayed: Type.Array(Type.Object({ id: Type.Integer(), topic: Type.String(), partition: Type.Integer(), offset: Type.Integer() })),
});

// Kafka's topic name alphabet: nothing the database could refuse reaches a query.
export const TopicFilter = Type.String({ pattern: '^[a-zA-Z0-9._-]{1,249}$' });

export const ReplayQuery = Type.Object({
  id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  topic: Type.Optional(TopicFilter),
});

const PartitionState = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  position: Type.Optional(Type.Integer()),
  end: Type.Optional(Type.Integer()),
  lag: Type.Optional(Type.Integer()),
  stuck: Type.Boolean(),
  retrying: Type.Optional(Type.Object({ offset: Type.Integer(), attempts: Type.Integer(), since: Timestamp, transient: Type.Boolean(), error: Type.String() })),
});

export const ConsumerStatus = Type.Object({
  partitions: Type.Array(PartitionState),
  dead_letters: Type.Object({ pending: Type.Integer(), replayed: Type.Integer() }),
});
