import { ErrorBody, Timestamp } from '@cinemaabyss/api';
import type { Db } from '@cinemaabyss/db';
import type { EventBus } from '@cinemaabyss/event-bus';
import { notFound, type App } from '@cinemaabyss/http';
import Type from 'typebox';
import { countDeadLetters, listDeadLetters, replayAll, replayDeadLetter } from './dead-letters.ts';
import type { ConsumerMonitor } from './monitor.ts';

// Operator endpoints: on the events service's own port only (the gateway routes /api/events, never /admin).

const Offset = Type.Union([Type.Integer(), Type.Null()]);
const DeadLetter = Type.Object({
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
const Replayed = Type.Object({ id: Type.Integer(), topic: Type.String(), partition: Type.Integer(), offset: Type.Integer() });
// Kafka's topic name alphabet: nothing the database could refuse reaches a query.
const TopicFilter = Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9._-]{1,249}$' }));
const PartitionState = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  position: Type.Optional(Type.Integer()),
  end: Type.Optional(Type.Integer()),
  lag: Type.Optional(Type.Integer()),
  stuck: Type.Boolean(),
  retrying: Type.Optional(
    Type.Object({ offset: Type.Integer(), attempts: Type.Integer(), since: Timestamp, transient: Type.Boolean(), error: Type.String() }),
  ),
});

export function adminRoutes(app: App, db: Db, bus: EventBus, monitor: ConsumerMonitor): void {
  const tags = ['admin'];
  app.get(
    '/admin/consumer',
    {
      schema: {
        summary: 'The consumer: each partition (position, end, lag, the record it is retrying, stuck) and the dead letters',
        tags,
        response: {
          200: Type.Object({
            partitions: Type.Array(PartitionState),
            dead_letters: Type.Object({ pending: Type.Integer(), replayed: Type.Integer() }),
          }),
        },
      },
    },
    async () => ({ partitions: monitor.partitions(), dead_letters: await countDeadLetters(db) }),
  );

  app.get(
    '/admin/dead-letters',
    {
      schema: {
        summary: 'Dead letters, oldest first: the original record, where it failed, the error, the attempts and whether it was replayed',
        tags,
        querystring: Type.Object({
          topic: TopicFilter,
          state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('replayed')])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Array(DeadLetter) },
      },
    },
    async (request) => listDeadLetters(db, { ...request.query, limit: request.query.limit ?? 100 }),
  );

  // One route (ids in the query, as everywhere in this API): `?id=` replays one, else every pending one.
  app.post(
    '/admin/dead-letters/replay',
    {
      schema: {
        summary:
          "Re-sends dead letters' original records to their topics and marks them replayed: with `id`, that one (again, if " +
          'it was replayed already); otherwise every one not replayed yet (of `topic`, if given), oldest first',
        tags,
        querystring: Type.Object({
          id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          topic: TopicFilter,
        }),
        response: { 200: Type.Object({ replayed: Type.Array(Replayed) }), 404: ErrorBody },
      },
    },
    async (request) => {
      const { id, topic } = request.query;
      if (id === undefined) return { replayed: await replayAll(db, bus, topic) };
      const replayed = await replayDeadLetter(db, bus, id, false);
      if (!replayed) throw notFound('dead letter');
      return { replayed: [replayed] };
    },
  );
}
