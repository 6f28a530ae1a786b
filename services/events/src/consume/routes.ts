import { EventStats, ProcessedEvent, RecentQuery } from '@cinemaabyss/api';
import Type from 'typebox';
import type { Db } from '@cinemaabyss/db';
import type { App } from '@cinemaabyss/http';
import type { Processor } from './processor.ts';
import { processedCounts, recentEvents } from './queries.ts';

export function consumeRoutes(app: App, db: Db, processor: Processor): void {
  app.get(
    '/api/events/recent',
    {
      schema: {
        summary: 'The latest processed events, newest first (optionally of one topic)',
        tags: ['events'],
        querystring: RecentQuery,
        response: { 200: Type.Array(ProcessedEvent) },
      },
    },
    async (request) => recentEvents(db, request.query.topic, request.query.limit ?? 20),
  );

  app.get(
    '/api/events/stats',
    {
      schema: { summary: 'Processed events counted by topic and type', tags: ['events'], response: { 200: EventStats } },
    },
    async () => {
      const processed = await processedCounts(db);
      const total = Object.values(processed).reduce((sum, byType) => sum + Object.values(byType).reduce((a, b) => a + b, 0), 0);
      return { processed, total, duplicates_skipped: processor.duplicates() };
    },
  );
}
