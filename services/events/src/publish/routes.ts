import { amountError, eventRecord, MovieEvent, PaymentEvent, PublishResult, UserEvent, type EventType } from '@cinemaabyss/api';
import { newEnvelope, toMessage, type EventBus } from '@cinemaabyss/event-bus';
import { badRequest, type App } from '@cinemaabyss/http';
import type { Static, TObject } from 'typebox';

interface Channel<T extends TObject> {
  /** The catalogue's event type: its name is the path, its payload the body, its topic and key the record's. */
  event: EventType<T>;
  /** A rule JSON Schema cannot state exactly: the message naming the field, or undefined. */
  refuse?: (body: Static<T>) => string | undefined;
}

function publishRoute<T extends TObject>(app: App, bus: EventBus, channel: Channel<T>): void {
  app.post(
    `/api/events/${channel.event.type}`,
    {
      schema: {
        summary: `Publish a ${channel.event.type} event to ${channel.event.topic}`,
        description: '201 only after every in-sync replica has the event; 503 if the broker cannot acknowledge in time.',
        tags: ['events'],
        body: channel.event.payload,
        response: { 201: PublishResult },
      },
    },
    async (request, reply) => {
      const payload = request.body as Static<T>;
      const refused = channel.refuse?.(payload);
      if (refused) throw badRequest(refused);
      const record = eventRecord(channel.event, payload);
      const event = newEnvelope(record.type, record.payload, 'events-api');
      const stored = await bus.send(toMessage(record.topic, record.key, event));
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
  publishRoute(app, bus, { event: MovieEvent });
  publishRoute(app, bus, { event: UserEvent });
  publishRoute(app, bus, { event: PaymentEvent, refuse: (b) => amountError(b.amount) });
}
