import type { IncomingHttpHeaders } from 'node:http';
import type { Reason } from '../metrics.ts';
import { verifyOverride } from './override.ts';
import { randomChoice, stickyChoice } from './split.ts';
import { parseCookies, stickyKey, type KeySources } from './sticky-key.ts';
import type { RouteSpec } from './table.ts';

export const OVERRIDE_HEADER = 'x-cinemaabyss-backend';

export interface Decision {
  backend: string;
  reason: Reason;
  /** Set-Cookie value when the gateway minted the sticky key. */
  setCookie?: string;
  bucket?: number;
}

export interface DecideDeps {
  overrideSecret: string | undefined;
  /** Longest lifetime left on an accepted override token. */
  overrideMaxTtlMs: number;
  random: () => number;
  now: () => number;
  newId: () => string;
}

/** Where a request's sticky key may come from; query and cookies are parsed only when asked (a request with a user header never needs them). */
class RequestSources implements KeySources {
  readonly headers: IncomingHttpHeaders;
  readonly #query: string;
  #cookies: Record<string, string> | undefined;

  constructor(headers: IncomingHttpHeaders, query: string) {
    this.headers = headers;
    this.#query = query;
  }

  get query(): URLSearchParams {
    return new URLSearchParams(this.#query.startsWith('?') ? this.#query.slice(1) : this.#query);
  }

  get cookies(): Record<string, string> {
    return (this.#cookies ??= parseCookies(this.headers.cookie));
  }
}

/** Which backend a request goes to, and why. Pure apart from the injected random source and clock. */
export function decide(route: RouteSpec, headers: IncomingHttpHeaders, query: string, deps: DecideDeps): Decision {
  const migration = route.migration;
  if (!migration) return { backend: route.backend, reason: 'default' };
  const allowed = [route.backend, migration.to];
  const header = headers[OVERRIDE_HEADER];
  const forced = verifyOverride(Array.isArray(header) ? header[0] : header, deps.overrideSecret, allowed, deps.now(), deps.overrideMaxTtlMs);
  if (forced) return { backend: forced, reason: 'override' };
  if (!migration.enabled) return { backend: route.backend, reason: 'default' };
  if (migration.mode === 'random') {
    return { backend: randomChoice(migration.percent, deps.random).toNew ? migration.to : route.backend, reason: 'random' };
  }
  const key = stickyKey(new RequestSources(headers, query), {
    userHeader: 'x-user-id',
    userQuery: 'user_id',
    sessionCookie: 'session',
    gatewayCookie: 'ca_bucket',
    newId: deps.newId,
  });
  const choice = stickyChoice(key.key, migration.percent, route.name);
  const decision: Decision = { backend: choice.toNew ? migration.to : route.backend, reason: 'bucket', bucket: choice.bucket };
  if (key.setCookie) decision.setCookie = key.setCookie;
  return decision;
}
