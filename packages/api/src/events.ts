import Type, { type Static, type TSchema } from 'typebox';
import { Id } from './common.ts';
import type { Movie } from './movies.ts';
import { Amount } from './payments.ts';
import { Name, Text } from './text.ts';

// Every string is storable text: the consumer keeps the payload in a jsonb read model, which
// refuses what PostgreSQL text does, so an event the API accepts can never poison it.
const Action = Name({ maxLength: 50, examples: ['created', 'updated', 'viewed'] });
const EventTime = Text({ format: 'date-time', description: 'When it happened (ISO 8601)' });

export const MovieEventBody = Type.Object(
  {
    movie_id: Id,
    title: Text({ minLength: 1, maxLength: 255 }),
    action: Action,
    user_id: Type.Optional(Id),
    rating: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    genres: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
    description: Type.Optional(Text({ maxLength: 10_000 })),
  },
  { additionalProperties: false, title: 'MovieEvent' },
);
export type MovieEventBody = Static<typeof MovieEventBody>;

export const UserEventBody = Type.Object(
  {
    user_id: Id,
    username: Type.Optional(Text({ minLength: 1, maxLength: 100 })),
    email: Type.Optional(Text({ format: 'email', maxLength: 255 })),
    action: Action,
    timestamp: EventTime,
  },
  { additionalProperties: false, title: 'UserEvent' },
);
export type UserEventBody = Static<typeof UserEventBody>;

export const PaymentEventBody = Type.Object(
  {
    payment_id: Id,
    user_id: Id,
    amount: Amount,
    status: Text({ minLength: 1, maxLength: 50, examples: ['completed', 'failed', 'refunded'] }),
    timestamp: EventTime,
    method_type: Type.Optional(Text({ minLength: 1, maxLength: 50 })),
  },
  { additionalProperties: false, title: 'PaymentEvent' },
);
export type PaymentEventBody = Static<typeof PaymentEventBody>;

export const PublishedEvent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
});

export const PublishResult = Type.Object(
  {
    status: Type.Literal('success'),
    partition: Type.Integer(),
    offset: Type.Integer(),
    event: PublishedEvent,
  },
  { title: 'PublishResult', description: 'Sent only after every in-sync replica acknowledged the event' },
);

export const ProcessedEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  topic: Type.String(),
  partition: Type.Integer(),
  offset: Type.Integer(),
  key: Type.String(),
  timestamp: Type.Unsafe<string | Date>(Type.String({ format: 'date-time' })),
  processed_at: Type.Unsafe<string | Date>(Type.String({ format: 'date-time' })),
  payload: Type.Record(Type.String(), Type.Unknown()),
});

export const EventStats = Type.Object({
  processed: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
  total: Type.Integer(),
  duplicates_skipped: Type.Integer({ description: 'Redelivered events recognised by id since this process started' }),
});

/** The stores that own a copy of the movies during the data migration (issue #12). */
export const MovieStore = Type.Union([Type.Literal('monolith'), Type.Literal('movies')]);
export type MovieStore = Static<typeof MovieStore>;

/**
 * A movie's full state after a change, on `movie-events` (type `movie`, key = movie id), written
 * by whichever store owns the movies' writes through its outbox. It is the `movie` event the
 * events service already counts, plus `version` (bumped by every change of the row) and `store`
 * (where the change was made): a copy applies it as an upsert where the newer version wins, so
 * copies, backfills and replays may arrive in any order. Events posted to the events API carry
 * neither field (its body refuses them), so they are never taken for changes.
 */
export const MovieChange = Type.Object(
  {
    movie_id: Id,
    title: Type.String(),
    description: Type.String(),
    genres: Type.Array(Type.String()),
    rating: Type.Number(),
    action: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    store: MovieStore,
  },
  { title: 'MovieChange' },
);
export type MovieChange = Static<typeof MovieChange>;

/** The change event of a movie as stored (genres in the store's order). */
export function movieChange(movie: Movie & { version: number }, action: string, store: MovieStore): MovieChange {
  const { id, title, description, genres, rating, version } = movie;
  return { movie_id: id, title, action, rating, genres, description, version, store };
}

/**
 * A gateway migration change: the audit entry of the change (the gateway's admin API documents
 * it, services/gateway/src/admin/schemas.ts `AuditEntry`), keyed by its route.
 */
export const MigrationChangePayload = Type.Object({ route: Type.String() }, { additionalProperties: true, title: 'MigrationChange' });

/**
 * One event type of the catalogue below, the one home of the event contract: its wire name (the
 * envelope's `type`, the records' `ce_type` header), its topic, its payload's schema and the
 * payload field whose value keys its records (same key, same partition: that entity's events stay
 * in order). Producers build records with `eventRecord` (the outbox's `outboxRecord`), so a type
 * cannot meet the wrong topic or key, and the key field must be a string or number of its payload.
 */
export interface EventType<S extends TSchema = TSchema> {
  readonly type: string;
  readonly topic: string;
  readonly payload: S;
  readonly key: KeyField<Static<S>>;
}
type KeyField<P> = { [F in keyof P & string]-?: P[F] extends string | number ? F : never }[keyof P & string];

const eventType = <S extends TSchema>(definition: EventType<S>): EventType<S> => Object.freeze(definition);

export const UserEvent = eventType({ type: 'user', topic: 'user-events', payload: UserEventBody, key: 'user_id' });
export const MovieEvent = eventType({ type: 'movie', topic: 'movie-events', payload: MovieEventBody, key: 'movie_id' });
/** Keyed by the user: a user's payments stay in order, which also keeps each payment's own events in order. */
export const PaymentEvent = eventType({ type: 'payment', topic: 'payment-events', payload: PaymentEventBody, key: 'user_id' });
/** The gateway's migration changes (its audit entries), from its own outbox. */
export const MigrationChanged = eventType({ type: 'migration.changed', topic: 'migration-events', payload: MigrationChangePayload, key: 'route' });
/** A store's movie change: the `movie` event with the full row, its version and its store (MovieChange). */
export const MovieChanged = eventType({ ...MovieEvent, payload: MovieChange });

/** Every event type; their topics are the bus's topics, in this order. */
export const EVENT_TYPES: readonly EventType[] = [UserEvent, MovieEvent, PaymentEvent, MigrationChanged, MovieChanged];
export const ALL_TOPICS: readonly string[] = [...new Set(EVENT_TYPES.map((event) => event.topic))];

export const EventTopic = Type.String({ enum: [...ALL_TOPICS] });

export const RecentQuery = Type.Object({
  topic: Type.Optional(EventTopic),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
});

/** What a producer puts on the bus (or in its outbox) for one event of `event`'s type. */
export interface EventRecord {
  topic: string;
  key: string;
  type: string;
  payload: Record<string, unknown>;
}

export function eventRecord<S extends TSchema>(event: EventType<S>, payload: Static<S>): EventRecord {
  const fields = payload as Record<string, unknown>;
  return { topic: event.topic, key: String(fields[event.key]), type: event.type, payload: fields };
}
