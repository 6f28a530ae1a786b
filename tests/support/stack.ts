import type { Database } from '@cinemaabyss/db';
import { listen, type App } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { buildMoviesApp } from '@cinemaabyss/movies';

export const quietLogger = () => createLogger('test', { level: process.env['TEST_LOG_LEVEL'] ?? 'silent', async: false });

export interface Stack {
  monolith: string;
  movies: string;
  apps: App[];
  close(): Promise<void>;
}

/**
 * MOVIES_DATA_PHASE=1…5 runs a suite against that phase of the movies' data migration (issue #12):
 * the movies service with its own database, moved to the phase before the tests start.
 */
const dataPhase = Number(process.env['MOVIES_DATA_PHASE'] ?? 0);

/** The monolith and the movies service listening on free loopback ports over one database. */
export async function startStack(database: Database): Promise<Stack> {
  if (dataPhase > 0) {
    // Imported here only: the data stack's helpers use this module's.
    const { advanceTo, startDataStack } = await import('../data/support.ts');
    const data = await startDataStack({}, { legacy: { database, reopen: async () => database, drop: async () => {} } });
    await advanceTo(data, dataPhase);
    return { monolith: data.monolith, movies: data.movies, apps: [], close: () => data.close() };
  }
  const logger = quietLogger();
  const monolithApp = await buildMonolithApp({ database, logger });
  const moviesApp = await buildMoviesApp({ database, logger });
  const monolith = await listen(monolithApp, 0, '127.0.0.1');
  const movies = await listen(moviesApp, 0, '127.0.0.1');
  const apps = [monolithApp, moviesApp];
  return {
    monolith,
    movies,
    apps,
    // Closes whatever apps hold now: a test may replace one (a restarted service).
    close: async () => {
      await Promise.all(apps.map((app) => app.close()));
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** A real HTTP request; `body` objects are sent as JSON, strings as they are. */
export async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

import { after, before } from 'node:test';
import { freshDatabase, type TestDatabase } from './backend.ts';

/** Registers before/after hooks: a fresh seeded database and both services for this test file. */
export function setupStack(): { stack: Stack; db: TestDatabase } {
  const context = {} as { stack: Stack; db: TestDatabase };
  before(async () => {
    context.db = await freshDatabase();
    context.stack = await startStack(context.db.database);
  });
  after(async () => {
    await context.stack?.close();
    await context.db?.drop();
  });
  return context;
}
