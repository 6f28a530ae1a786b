// The console's events view: the gateway's admin API relays the events service's own endpoints
// (counts, latest events, consumer, dead letters, replay), which live on that service's port and
// are never reachable through the gateway's public one. A service that cannot answer is a 503.
import type { ConsumerStatus, DeadLetter, EventStats, ProcessedEvent, ReplayResult } from '@cinemaabyss/api';
import { badRequest, notFound, unavailable } from '@cinemaabyss/http';
import type { Static } from 'typebox';
import { request } from 'undici';

export interface EventsAdmin {
  view(): Promise<{
    stats: Static<typeof EventStats>;
    recent: Static<typeof ProcessedEvent>[];
    consumer: Static<typeof ConsumerStatus>;
    deadLetters: Static<typeof DeadLetter>[];
  }>;
  replay(query: { id?: number | undefined; topic?: string | undefined }): Promise<Static<typeof ReplayResult>>;
}

const TIMEOUT_MS = 5000;

/** The events service at `baseUrl` (GATEWAY_EVENTS_ADMIN_URL). */
export function eventsAdmin(baseUrl: string): EventsAdmin {
  const call = async <T>(method: 'GET' | 'POST', path: string): Promise<T> => {
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(new URL(path, baseUrl), { method, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    } catch (error) {
      throw unavailable(`the events service is unreachable (${(error as Error).message})`);
    }
    const body = (await answer.body.json().catch(() => undefined)) as { error?: unknown } | undefined;
    if (answer.statusCode < 300 && body !== undefined) return body as T;
    const message = typeof body?.error === 'string' ? body.error : `status ${answer.statusCode}`;
    if (answer.statusCode === 404) throw notFound('dead letter');
    if (answer.statusCode < 500 && answer.statusCode >= 400) throw badRequest(`the events service refused: ${message}`);
    throw unavailable(`the events service cannot answer: ${message}`);
  };

  return {
    view: async () => {
      const [stats, recent, consumer, deadLetters] = await Promise.all([
        call<Static<typeof EventStats>>('GET', '/api/events/stats'),
        call<Static<typeof ProcessedEvent>[]>('GET', '/api/events/recent?limit=20'),
        call<Static<typeof ConsumerStatus>>('GET', '/admin/consumer'),
        call<Static<typeof DeadLetter>[]>('GET', '/admin/dead-letters?state=pending&limit=100'),
      ]);
      return { stats, recent, consumer, deadLetters };
    },
    replay: ({ id, topic }) => {
      const query = new URLSearchParams();
      if (id !== undefined) query.set('id', String(id));
      if (topic !== undefined) query.set('topic', topic);
      return call('POST', `/admin/dead-letters/replay?${query}`);
    },
  };
}
