import { MovieEventBody, PaymentEventBody, PublishResult, UserEventBody, amountError } from '@cinemaabyss/api';
import { TOPICS, newEnvelope, toMessage, type EventBus } from '@cinemaabyss/event-bus';
import { badRequest, type App } from '@cinemaabyss/http';
import type { Static, TObject } from 'typebox';

interface Channel<T extends TObject> {
  type: 'movie' | 'user' | 'payment';
  body: T;
  topic: string;
  /** The entity whose events must stay in order. */
  key: (body: Static<T>) => number;
  /** A rule JSON Schema cannot state exactly: the message naming the field, or undefined. */
  refuse?: (body: Static<T>) => string | undefined;
}

function publishRoute<T extends TObject>(app: App, bus: EventBus, channel: Channel<T>): void {
  app.post(
    `/api/events/${channel.type}`,
    {
      schema: {
        summary: `Publish a ${channel.type} event to ${channel.topic}`,
        description: '201 only after every in-sync replica has the event; 503 if the broker cannot acknowledge in time.',
        tags: ['events'],
        body: channel.body,
        response: { 201: PublishResult },
      },
    },
    async (request, reply) => {
      const payload = request.body as Static<T> & Record<string, unknown>;
      const refused = channel.refuse?.(payload);
      if (refused) throw badRequest(refused);
      const event = newEnvelope(channel.type, payload, 'events-api');
      const stored = await bus.send(toMessage(channel.topic, String(channel.key(payload)), event));
      return reply.code(201).send({
        status: 'success' as const,
        partition: stored.partition,
        offset: stored.offset,
        event: { id: event.id, type: event.type, timestamp: event.timestamp, payload: event.payload },
      });
    },
  );
}

export function publishRoutes(app: App, bus: EventBus): void {
  publishRoute(app, bus, { type: 'movie', body: MovieEventBody, topic: TOPICS.movie, key: (b) => b.movie_id });
  publishRoute(app, bus, { type: 'user', body: UserEventBody, topic: TOPICS.user, key: (b) => b.user_id });
  // A user's payments stay in order, which also keeps each payment's own events in order.
  publishRoute(app, bus, {
    type: 'payment',
    body: PaymentEventBody,
    topic: TOPICS.payment,
    key: (b) => b.user_id,
    refuse: (b) => amountError(b.amount),
  });
}
