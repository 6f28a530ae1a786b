import Type, { type Static } from 'typebox';
import { Id } from './common.ts';
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

// The topic names' home is packages/event-bus (TOPICS); a unit test keeps this list equal to it.
export const EventTopic = Type.String({ enum: ['user-events', 'movie-events', 'payment-events', 'migration-events'] });

export const RecentQuery = Type.Object({
  topic: Type.Optional(EventTopic),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
});

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
