import { ConsumerStatus, DeadLetter, ErrorBody, ReplayQuery, ReplayResult, TopicFilter } from '@cinemaabyss/api';
import type { Db } from '@cinemaabyss/db';
import type { EventBus } from '@cinemaabyss/event-bus';
import { notFound, type App } from '@cinemaabyss/http';
import Type from 'typebox';
import { countDeadLetters, listDeadLetters, replayAll, replayDeadLetter } from './dead-letters.ts';
import type { ConsumerMonitor } from './monitor.ts';

// Operator endpoints: on the events service's own port only (the gateway routes /api/events, never /admin).

export function adminRoutes(app: App, db: Db, bus: EventBus, monitor: ConsumerMonitor): void {
  const tags = ['admin'];
  app.get(
    '/admin/consumer',
    {
      schema: {
        summary: 'The consumer: each partition (position, end, lag, the record it is retrying, stuck) and the dead letters',
        tags,
        response: { 200: ConsumerStatus },
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
          topic: Type.Optional(TopicFilter),
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
        querystring: ReplayQuery,
        response: { 200: ReplayResult, 404: ErrorBody },
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
