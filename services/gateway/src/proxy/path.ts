// Request-target normalisation: the gateway routes on, and forwards, one canonical path,
// so no spelling of a path can reach a route (or host) other than the one it was matched to.
//
// | Input                                         | Result                                            |
// |-----------------------------------------------|---------------------------------------------------|
// | longer than 8 KiB                             | reject                                            |
// | not starting with '/' (absolute-form          | reject                                            |
// |   `http://h/x`, authority-form `h:80`, `*`)   |                                                   |
// | any char outside printable ASCII 0x21–0x7E    | reject (raw space, control chars, NUL, non-ASCII) |
// | '#' anywhere                                  | reject (clients never send fragments)             |
// | first '?'                                     | splits path / query; query kept raw, untouched    |
// | raw '\' in path                               | reject                                            |
// | '%' not followed by two hex digits            | reject                                            |
// | %2F, %5C, %00–%1F, %7F in path                | reject                                            |
// | %XX of ALPHA / DIGIT / - . _ ~                | decoded (`%2e` → `.`, `%6F` → `o`)                |
// | any other %XX                                 | kept encoded, hex upper-cased (`%2a` → `%2A`)     |
// | runs of '/'                                   | collapsed to one (`//evil/x` → `/evil/x`)         |
// | '.' segment                                   | removed (RFC 3986 remove_dot_segments)            |
// | '..' segment                                  | pops the previous segment                         |
// | '..' above root                               | reject                                            |
// | '.;x' / '..;x' segment (path-param dots)      | reject (Tomcat-style traversal)                   |
// | trailing '/', or path ending in '.' / '..'    | trailing '/' kept                                 |

export type PathResult =
  | { ok: true; path: string /* normalised path, no query */; query: string /* raw query string including leading '?' or '' */ }
  | { ok: false; reason: string };

export const MAX_TARGET_LENGTH = 8192;

const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;
// Already canonical: non-empty segments that start with no '.', no escape, no backslash. The
// steps below would return it unchanged; this spares the common request their ~1 µs.
const CANONICAL = /^(?:\/[^/.%\\][^/%\\]*)*\/?$/;

const fail = (reason: string): PathResult => ({ ok: false, reason });

/** Decodes unreserved escapes only; returns a reason when an escape is invalid or forbidden. */
function decodeUnreserved(path: string): string | { reason: string } {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!HEX2.test(hex)) return { reason: 'invalid percent escape' };
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c) return { reason: 'encoded slash or backslash' };
    if (code < 0x20 || code === 0x7f) return { reason: 'encoded control character' };
    const ch = String.fromCharCode(code);
    out += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return out;
}

/** RFC 3986 remove_dot_segments on a '/'-collapsed path, but climbing above root is an error. */
function removeDotSegments(path: string): string | { reason: string } {
  const segments = path.split('/').slice(1); // path starts with '/', so [0] is ''
  const out: string[] = [];
  let trailingSlash = false;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (/^\.\.?;/.test(seg)) return { reason: 'dot segment with path parameters' };
    if (seg === '.' || seg === '') {
      trailingSlash = last;
    } else if (seg === '..') {
      if (out.length === 0) return { reason: 'path climbs above root' };
      out.pop();
      trailingSlash = last;
    } else {
      out.push(seg);
      trailingSlash = false;
    }
  }
  if (out.length === 0) return '/';
  return `/${out.join('/')}${trailingSlash ? '/' : ''}`;
}

/** From the raw request-target (req.url). */
export function normalizeTarget(rawUrl: string): PathResult {
  if (rawUrl.length > MAX_TARGET_LENGTH) return fail('request-target too long');
  if (!rawUrl.startsWith('/')) return fail('request-target must be origin-form (start with /)');
  if (!PRINTABLE_ASCII.test(rawUrl)) return fail('control, whitespace or non-ASCII character');
  if (rawUrl.includes('#')) return fail('fragment not allowed');
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q);
  if (rawPath.includes('\\')) return fail('backslash in path');
  if (CANONICAL.test(rawPath)) return { ok: true, path: rawPath, query };
  const decoded = decodeUnreserved(rawPath);
  if (typeof decoded !== 'string') return fail(decoded.reason);
  // Collapse after decoding: no escape can produce '/', so this sees every slash.
  const collapsed = decoded.replace(/\/{2,}/g, '/');
  const resolved = removeDotSegments(collapsed);
  if (typeof resolved !== 'string') return fail(resolved.reason);
  return { ok: true, path: resolved, query };
}
