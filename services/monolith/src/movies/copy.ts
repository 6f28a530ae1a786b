import { applyMoviesToMonolith, monolithMoviesRetired, type Database } from '@cinemaabyss/db';
import { consumeMovieChanges, type EventBus, type MovieChangeConsumer } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';

/**
 * The monolith's copy of the movies service's writes (data migration, phase 5): the movie changes
 * the movies service publishes are applied to the monolith's tables, newer version wins, so that
 * whatever still reads them stays right and a step back to phase 4 loses nothing. Before phase 5
 * there are no such changes; once the tables are retired (phase 6) there is nothing to keep.
 */
export function startMovieCopy(bus: EventBus, database: Database, groupId: string, logger: Logger): MovieChangeConsumer {
  return consumeMovieChanges({
    bus,
    groupId,
    from: 'movies',
    apply: async (rows) => {
      if (await monolithMoviesRetired(database.db)) return;
      await applyMoviesToMonolith(database.db, rows);
    },
    log: logger,
  });
}
