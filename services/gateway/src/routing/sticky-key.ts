// Picks the identity a request is bucketed by, so a user keeps the same backend across requests.

export interface KeySources {
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  cookies: Record<string, string>;
}

export interface StickyKeyOptions {
  userHeader: string /* default 'x-user-id' */;
  userQuery: string /* 'user_id' */;
  sessionCookie: string /* e.g. 'session' */;
  gatewayCookie: string /* 'ca_bucket' */;
  newId: () => string;
}

export const DEFAULT_STICKY_KEY_OPTIONS: Omit<StickyKeyOptions, 'newId'> = {
  userHeader: 'x-user-id',
  userQuery: 'user_id',
  sessionCookie: 'session',
  gatewayCookie: 'ca_bucket',
};

const MAX_KEY_LENGTH = 128;
const ONE_YEAR_SECONDS = 31536000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Bounded keys only: a hostile value must not cost hashing time or smuggle control chars into logs. */
function usable(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v.length === 0 || v.length > MAX_KEY_LENGTH || CONTROL.test(v)) return undefined;
  return v;
}

function headerValue(headers: KeySources['headers'], name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  return Array.isArray(raw) ? raw[0] : raw;
}

function cookieValue(cookies: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(cookies, name) ? cookies[name] : undefined;
}

/** Returns the key and its source; when none is present it mints a new id and says the gateway must set its cookie. */
export function stickyKey(
  src: KeySources,
  o: StickyKeyOptions,
): { key: string; source: 'header' | 'query' | 'session-cookie' | 'gateway-cookie' | 'new'; setCookie?: string } {
  const header = usable(headerValue(src.headers, o.userHeader));
  if (header !== undefined) return { key: header, source: 'header' };
  const query = usable(src.query.get(o.userQuery) ?? undefined);
  if (query !== undefined) return { key: query, source: 'query' };
  const session = usable(cookieValue(src.cookies, o.sessionCookie));
  if (session !== undefined) return { key: session, source: 'session-cookie' };
  const gateway = usable(cookieValue(src.cookies, o.gatewayCookie));
  if (gateway !== undefined) return { key: gateway, source: 'gateway-cookie' };
  const key = o.newId();
  // Encoded so an odd id can never break out of the cookie value; parseCookies decodes it back.
  const setCookie = `${o.gatewayCookie}=${encodeURIComponent(key)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ONE_YEAR_SECONDS}`;
  return { key, source: 'new', setCookie };
}

function safeDecode(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  // Null prototype: names like "__proto__" or "constructor" are plain data here.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || Object.hasOwn(out, name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[name] = safeDecode(value);
  }
  return out;
}
