import type { IncomingHttpHeaders } from 'node:http';
import type { Reason } from '../metrics.ts';
import { verifyOverride } from './override.ts';
import { randomChoice, stickyChoice } from './split.ts';
import { parseCookies, stickyKey } from './sticky-key.ts';
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
  const key = stickyKey(
    { headers, query: new URLSearchParams(query.startsWith('?') ? query.slice(1) : query), cookies: parseCookies(headers.cookie) },
    { userHeader: 'x-user-id', userQuery: 'user_id', sessionCookie: 'session', gatewayCookie: 'ca_bucket', newId: deps.newId },
  );
  const choice = stickyChoice(key.key, migration.percent, route.name);
  const decision: Decision = { backend: choice.toNew ? migration.to : route.backend, reason: 'bucket', bucket: choice.bucket };
  if (key.setCookie) decision.setCookie = key.setCookie;
  return decision;
}
