import { MovieChange, MovieChanged, type MovieStore } from '@cinemaabyss/api';
import type { VersionedMovie } from '@cinemaabyss/db';
import Compile from 'typebox/compile';
import { parseEnvelope } from './envelope.ts';
import { keepJoining } from './joining.ts';
import { PoisonRecordError, type BusMessage, type EventBus, type Subscription } from './types.ts';

const isChange = Compile(MovieChange);

/** One applied batch, for lag metrics: how old each change was when it landed. */
export interface AppliedBatch {
  ids: number[];
  /** Seconds between each change's commit (its outbox timestamp) and now. */
  lagsSeconds: number[];
}

export interface MovieChangeConsumerOptions {
  bus: EventBus;
  groupId: string;
  /** Apply the changes made in this store (the other store's consumer ignores them). */
  from: MovieStore;
  /** Writes the changes where the newer version wins (idempotent: redeliveries are no-ops). */
  apply(rows: VersionedMovie[]): Promise<void>;
  applied?(batch: AppliedBatch): void;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface MovieChangeConsumer {
  running(): boolean;
  status(): ReturnType<Subscription['status']>;
  stop(): Promise<void>;
}

/**
 * The change from a `movie-events` record, if it is one of `from`'s changes. Other movie events
 * (views posted to the events API, the other store's changes) are skipped; a record that claims to
 * be a change but is malformed can never apply and is dead-lettered.
 */
function changeOf(message: BusMessage, from: MovieStore): { row: VersionedMovie; at: number } | undefined {
  const event = parseEnvelope(message.value);
  if (!event || event.type !== MovieChanged.type || !('version' in event.payload)) return undefined;
  if (!isChange.Check(event.payload)) throw new PoisonRecordError('a movie change event without a valid full row and version');
  const change = event.payload as MovieChange;
  if (change.store !== from) return undefined;
  const { movie_id: id, title, description, genres, rating, version } = change;
  return { row: { id, title, description, genres, rating, version }, at: Date.parse(event.timestamp) };
}

/**
 * Change capture from the outbox's `movie-events`: each fetched batch of a partition is applied in
 * one call, committed after it (at-least-once; the newer-version upsert makes redelivery harmless).
 * Joins with backoff while the broker is away, starting from the beginning for a new group.
 */
export function consumeMovieChanges(options: MovieChangeConsumerOptions): MovieChangeConsumer {
  const { bus, groupId, from, log } = options;
  const applyBatch = async (messages: BusMessage[]) => {
    const changes = messages.map((message) => changeOf(message, from)).filter((change) => change !== undefined);
    if (changes.length === 0) return;
    await options.apply(changes.map((change) => change.row));
    const now = Date.now();
    options.applied?.({ ids: changes.map((change) => change.row.id), lagsSeconds: changes.map((change) => Math.max(0, now - change.at) / 1000) });
  };
  const joining = keepJoining(
    async () => {
      await bus.ensureTopics([MovieChanged.topic]);
      return bus.subscribe({
        groupId,
        topics: [MovieChanged.topic],
        fromBeginning: true,
        handler: (message) => applyBatch([message]),
        handleBatch: applyBatch,
      });
    },
    { onJoined: () => log.info({ groupId, from }, 'capturing movie changes'), log, what: 'capture movie changes' },
  );
  return {
    running: () => joining.current() !== undefined,
    status: () => joining.current()?.status() ?? [],
    stop: () => joining.stop(),
  };
}
