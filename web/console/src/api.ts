// The admin API as the console calls it: the bearer token kept in sessionStorage (gone when the tab
// closes) and sent on every call. The shapes are the admin API's own schemas (type-only imports:
// nothing of the server reaches the bundle).
import type { Static } from 'typebox';
import type * as S from '../../../services/gateway/src/admin/schemas.ts';
import type { MigrationChanges } from '../../../services/gateway/src/control/state.ts';

export type Caller = Static<typeof S.Caller>;
export type RouteView = Static<typeof S.RouteView>;
export type MigrationState = RouteView['state'];
export type ChangeResult = Static<typeof S.ChangeResult>;
export type AuditEntry = Static<typeof S.AuditEntry>;
export type ShadowReport = Static<typeof S.ShadowReport>;
export type WindowVerdict = Static<typeof S.WindowVerdict>;
export type TrafficView = Static<typeof S.TrafficView>;
export type EventsView = Static<typeof S.EventsView>;
export type { MigrationChanges };
export type Action = 'promote' | 'pause' | 'resume' | 'abort' | 'kill' | 'unkill';

const TOKEN_KEY = 'cinemaabyss-admin-token';

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer that is not a success, with the API's `{"error"}` message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Called when the API says the token is missing or wrong: the console asks for one again. */
let onUnauthorised: (message: string) => void = () => {};
export const whenUnauthorised = (listener: (message: string) => void) => {
  onUnauthorised = listener;
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token.get() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'the gateway admin API cannot be reached');
  }
  const answer = (await res.json().catch(() => undefined)) as { error?: string } | undefined;
  if (res.ok) return answer as T;
  const message = answer?.error ?? `${res.status} ${res.statusText}`;
  if (res.status === 401) onUnauthorised(message);
  throw new ApiError(res.status, message);
}

const route = (name: string) => `/admin/routes/${encodeURIComponent(name)}`;

export const api = {
  whoami: () => call<Caller>('GET', '/admin/whoami'),
  routes: () => call<RouteView[]>('GET', '/admin/routes'),
  change: (name: string, changes: MigrationChanges, reason: string) => call<ChangeResult>('PATCH', route(name), { changes, reason }),
  act: (name: string, action: Action, reason: string) => call<ChangeResult>('POST', `${route(name)}/${action}`, { reason }),
  audit: (query: { route?: string; before?: number; limit?: number } = {}) => {
    const params = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]])));
    return call<AuditEntry[]>('GET', `/admin/audit?${params}`);
  },
  shadow: (name: string) => call<ShadowReport>('GET', `${route(name)}/shadow`),
  analysis: (name: string) => call<WindowVerdict[]>('GET', `${route(name)}/analysis?limit=20`),
  traffic: (since?: string) => call<TrafficView>('GET', `/admin/traffic${since ? `?since=${encodeURIComponent(since)}` : ''}`),
  events: () => call<EventsView>('GET', '/admin/events'),
  replay: (target: { id?: number; topic?: string }, reason: string) =>
    call<{ replayed: { id: number; topic: string; partition: number; offset: number }[] }>('POST', '/admin/events/replay', { ...target, reason }),
};
