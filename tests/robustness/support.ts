// The bad-input suites (issue #9): hostile requests written byte for byte on raw sockets to the real
// services. Every case states the status it must get; every answer must be `{"error": "..."}` with
// `Content-Type: application/json; charset=utf-8`, leak nothing internal, and write nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { migrate, type Database } from '@cinemaabyss/db';
import { ALL_TOPICS } from '@cinemaabyss/api';
import { embeddedBusMigrations, openEmbeddedBus, type EventBus } from '@cinemaabyss/event-bus';
import { buildEventsApp, eventsMigrations } from '@cinemaabyss/events';
import { buildGateway, loadGatewayConfig, tableFromEnv, validateRouteTable } from '@cinemaabyss/gateway';
import { listen, type App } from '@cinemaabyss/http';
import { buildMonolithApp } from '@cinemaabyss/monolith';
import { buildMoviesApp } from '@cinemaabyss/movies';
import { freshDatabase, type TestDatabase } from '../support/backend.ts';
import { quietLogger } from '../support/stack.ts';
import { rawRequest, type RawResponse } from '../gateway/support.ts';

export interface Case {
  name: string;
  /** The request exactly as written on the socket (see `http`). */
  request: string | Buffer;
  status: number;
  /** What the error message must say (e.g. the field it names). */
  error?: RegExp;
  /** For a 405 (or OPTIONS' 204): methods the Allow header must list. */
  allow?: string[];
  /** An answer without a body is due (OPTIONS' 204), not an error. */
  empty?: boolean;
}

export interface Services {
  monolith: number;
  movies: number;
  events: number;
  gateway: number;
  database: Database;
}

/**
 * The monolith, the movies service, the events service (embedded bus, nothing consuming) and the
 * gateway in front of them, on free loopback ports over one fresh database.
 */
export function setupServices(): Services {
  const services = {} as Services;
  let db: TestDatabase;
  let bus: EventBus;
  const apps: App[] = [];
  before(async () => {
    db = await freshDatabase();
    await migrate(db.database, eventsMigrations);
    await migrate(db.database, embeddedBusMigrations);
    bus = await openEmbeddedBus(db.database);
    await bus.ensureTopics(ALL_TOPICS);
    const logger = quietLogger();
    const [monolith, movies, events] = await Promise.all(
      [
        buildMonolithApp({ database: db.database, logger }),
        buildMoviesApp({ database: db.database, logger }),
        buildEventsApp({ database: db.database, bus, logger }).then((built) => built.app),
      ].map(async (building) => {
        const app = await building;
        apps.push(app);
        return listen(app, 0, '127.0.0.1');
      }),
    );
    // The gateway as `npm start` builds it, with its default limits.
    const config = loadGatewayConfig({ MONOLITH_URL: monolith, MOVIES_SERVICE_URL: movies, EVENTS_SERVICE_URL: events });
    const { app: gateway } = await buildGateway({
      table: validateRouteTable(tableFromEnv(config)),
      logger,
      maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
      maxHeaderBytes: config.GATEWAY_MAX_HEADER_BYTES,
    });
    apps.push(gateway);
    const port = (url: string) => Number(new URL(url).port);
    Object.assign(services, {
      monolith: port(monolith!),
      movies: port(movies!),
      events: port(events!),
      gateway: port(await listen(gateway, 0, '127.0.0.1')),
      database: db.database,
    });
  });
  after(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await bus?.close();
    await db?.drop();
  });
  return services;
}

/** Every table a request could write to: the domain, the outbox, the embedded bus, the read model. */
const TABLES = ['users', 'movies', 'movie_genres', 'payments', 'subscriptions', 'outbox', 'bus_messages', 'processed_events'];

// One round trip: each case counts before and after.
const COUNT_ROWS = sql.raw(`SELECT ${TABLES.map((table) => `(SELECT count(*)::int FROM ${table}) AS ${table}`).join(', ')}`);

async function rowCounts(database: Database): Promise<Record<string, number>> {
  const result = (await database.db.execute(COUNT_ROWS)) as unknown as { rows: Record<string, number>[] };
  return result.rows[0]!;
}

/** What an error answer must never contain: SQL, driver or engine names, stack frames, file paths. */
const LEAK =
  /\b(select\s.+\sfrom|insert\s+into|update\s.+\sset|delete\s+from|violates|constraint|relation\s+"|syntax error|sqlstate|postgres|pglite|drizzle|node:internal|TypeError|RangeError|ReferenceError|SyntaxError)\b|\sat\s\S+\s\(|\/[\w.-]+\/[\w.-]+\.(?:ts|js|mjs|cjs)\b/i;

const JSON_TYPE = 'application/json; charset=utf-8';

/** Everything wrong with an answer to `c`, so one run reports every defect of a case, not the first. */
function problemsWith(res: RawResponse, c: Case): string[] {
  const problems: string[] = [];
  if (res.status !== c.status) problems.push(`status ${res.status}, expected ${c.status}`);
  if (c.empty) {
    if (res.body !== '') problems.push('a body where none is due');
    return [...problems, ...allowProblems(res, c)];
  }
  if (res.headers['content-type'] !== JSON_TYPE) problems.push(`content-type ${JSON.stringify(res.headers['content-type'])}`);
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    problems.push('body is not JSON');
  }
  const error = (body as { error?: unknown } | undefined)?.error;
  if (body !== undefined && (typeof body !== 'object' || body === null || Object.keys(body).join() !== 'error' || typeof error !== 'string' || !error)) {
    problems.push('body is not {"error": "<message>"}');
  } else if (c.error && typeof error === 'string' && !c.error.test(error)) problems.push(`error does not match ${c.error}`);
  if (LEAK.test(res.body)) problems.push('leaks internals');
  return [...problems, ...allowProblems(res, c)];
}

function allowProblems(res: RawResponse, c: Case): string[] {
  if (!c.allow) return [];
  const allowed = (res.headers['allow'] ?? '').split(',').map((m) => m.trim());
  const missing = c.allow.filter((m) => !allowed.includes(m));
  return missing.length > 0 ? [`Allow ${JSON.stringify(res.headers['allow'])} lacks ${missing.join(', ')}`] : [];
}

/** One test per case: its answer, then the row counts of every table, unchanged. */
export function runCases(title: string, port: () => number, database: () => Database, cases: Case[]): void {
  describe(title, () => {
    const names = new Set<string>();
    for (const c of cases) {
      assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
      names.add(c.name);
      test(`${c.status} ${c.name}`, async () => {
        const before = await rowCounts(database());
        const res = await rawRequest(port(), c.request, { timeoutMs: 15_000 });
        const problems = problemsWith(res, c);
        const after = await rowCounts(database());
        const written = Object.keys(after).filter((table) => after[table] !== before[table]);
        if (written.length > 0) problems.push(`wrote to ${written.join(', ')}`);
        assert.deepEqual(problems, [], `${res.statusLine} ${res.body.slice(0, 200)}`);
      });
    }
  });
}

/** The counted size of the cases, for the suites' own "at least 60" check. */
export function assertAtLeast(cases: Case[], n: number): void {
  test(`at least ${n} cases`, () => assert.ok(cases.length >= n, `${cases.length} cases`));
}

export interface HttpOptions {
  headers?: string[];
  body?: string | Buffer;
}

/**
 * A request in raw HTTP/1.1 form: `Host` and `Connection: close` first, then `headers`, then
 * `Content-Length` of the body unless a header already frames it, then the body.
 */
export function http(method: string, target: string, options: HttpOptions = {}): Buffer {
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const headers = ['Host: 127.0.0.1', 'Connection: close', ...(options.headers ?? [])];
  const framed = headers.some((h) => /^(content-length|transfer-encoding)\s*:/i.test(h));
  if (options.body !== undefined && !framed) headers.push(`Content-Length: ${body.length}`);
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A POST of `body` (JSON-encoded unless a string or bytes) with `Content-Type: application/json` unless replaced. */
export function postJson(path: string, body: unknown, headers: string[] = []): Buffer {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const typed = headers.some((h) => /^content-type\s*:/i.test(h));
  return http('POST', path, { headers: typed ? headers : ['Content-Type: application/json', ...headers], body: text });
}
