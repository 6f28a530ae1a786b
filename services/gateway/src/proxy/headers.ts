// Header hygiene between client, gateway and upstreams (RFC 9110 §7.6.1 hop-by-hop rules).

export interface ForwardContext {
  clientIp: string;
  proto: 'http' | 'https';
  host: string | undefined;
  requestId: string;
}

type InHeaders = Record<string, string | string[] | undefined>;
type OutHeaders = Record<string, string | string[]>;

const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// Never copied upstream, besides the hop-by-hop set: `host` (the upstream client sets the
// upstream's own authority), `expect` (Node's server has answered the 100 Continue already; undici
// refuses to send it) and `x-forwarded-host` (a client's is never passed on: it is only ever the
// host the gateway saw).
const NOT_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-forwarded-host']);

function joined(v: string | string[] | undefined): string {
  return v === undefined ? '' : Array.isArray(v) ? v.join(',') : v;
}

/** Header names listed in Connection (they are hop-by-hop for this message too), or null when none. */
function connectionTokens(headers: InHeaders): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (const rawName in headers) {
    if (rawName.length !== 10 || rawName.toLowerCase() !== 'connection') continue;
    for (const token of joined(headers[rawName]).split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '' && !HOP_BY_HOP.has(t)) (tokens ??= new Set()).add(t);
    }
  }
  return tokens;
}

/** Copies end-to-end headers with lower-cased names; drops `dropped` (the hop-by-hop set, or more) and whatever Connection names. */
function endToEnd(headers: InHeaders, dropped: ReadonlySet<string> = HOP_BY_HOP): OutHeaders {
  const named = connectionTokens(headers);
  const out: OutHeaders = Object.create(null) as OutHeaders;
  for (const rawName in headers) {
    const value = headers[rawName];
    const name = rawName.toLowerCase();
    if (value === undefined || dropped.has(name) || named?.has(name)) continue;
    const prev = out[name];
    // Same name in two spellings: keep both values rather than silently losing one.
    out[name] = prev === undefined ? value : [prev, value].flat();
  }
  return out;
}

/** Headers for the upstream request: drop hop-by-hop headers (connection, keep-alive, proxy-connection, proxy-authenticate, proxy-authorization, te, trailer, transfer-encoding, upgrade, and every header named in Connection), drop `host` (the upstream client sets it to the upstream's own authority) and `expect` (answered here), append client IP to X-Forwarded-For, set X-Forwarded-Proto and X-Forwarded-Host (original host), set X-Request-Id (the given id), keep `traceparent`/`tracestate` as they are. Input is Node's IncomingHttpHeaders (values string | string[] | undefined); output a flat Record<string, string | string[]>. */
export function upstreamRequestHeaders(incoming: InHeaders, ctx: ForwardContext): OutHeaders {
  const out = endToEnd(incoming, NOT_FORWARDED);
  const forwardedFor = out['x-forwarded-for'];
  const chain =
    forwardedFor === undefined
      ? []
      : joined(forwardedFor)
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  out['x-forwarded-for'] = chain.length === 0 ? ctx.clientIp : [...chain, ctx.clientIp].join(', ');
  out['x-forwarded-proto'] = ctx.proto;
  if (ctx.host !== undefined && ctx.host !== '') out['x-forwarded-host'] = ctx.host;
  out['x-request-id'] = ctx.requestId;
  return out;
}

/** Response headers from upstream to client: drop hop-by-hop (same list) */
export function downstreamResponseHeaders(upstream: InHeaders): OutHeaders {
  return endToEnd(upstream);
}

/** A request id: the client's X-Request-Id if it is sane (≤ 128 chars of [A-Za-z0-9._:-]), else a new one from `newId`. */
export { requestIdOf } from '@cinemaabyss/http';
