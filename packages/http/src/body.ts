import type { IncomingHttpHeaders } from 'node:http';
import { MIMEType } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { badRequest, unsupportedMediaType } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when `label` names UTF-8 (`utf-8`, `UTF8`, … as the WHATWG Encoding standard reads them). */
function isUtf8(label: string): boolean {
  try {
    return new TextDecoder(label).encoding === 'utf-8';
  } catch {
    return false;
  }
}

/** Why a JSON body cannot be read as sent: the services decode neither compression nor other charsets. */
function unreadable(headers: IncomingHttpHeaders): Error | undefined {
  // Repeated Content-Encoding headers arrive joined by commas: every coding must be identity.
  const codings = (headers['content-encoding'] ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (codings.some((c) => c.toLowerCase() !== 'identity')) {
    return unsupportedMediaType('content-encoding is not supported: send the body uncompressed');
  }
  let charset: string | null;
  try {
    charset = new MIMEType(headers['content-type'] ?? '').params.get('charset');
  } catch {
    return unsupportedMediaType('content-type is not a valid media type');
  }
  if (charset !== null && !isUtf8(charset)) return unsupportedMediaType('JSON bodies must be utf-8');
  return undefined;
}

/**
 * Request bodies are `application/json` in UTF-8, nothing else: other types (text/plain included)
 * are 415, and so are compressed bodies and other charsets, rather than read wrongly as UTF-8.
 * Bytes that are not UTF-8 are a 400, not silently replaced.
 */
export function acceptJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const refused = unreadable(request.headers);
    if (refused) return done(refused, undefined);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return done(badRequest('request body is not valid UTF-8'), undefined);
    }
    parseJson(request, text, done);
  });
}
