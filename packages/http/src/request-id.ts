import type { IncomingHttpHeaders } from 'node:http';

// Ids that are safe to log and to pass on: bounded, no spaces, quotes or separators.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's X-Request-Id when it is sane, else a new one from `newId`. */
export function requestIdOf(incoming: IncomingHttpHeaders | Record<string, string | string[] | undefined>, newId: () => string): string {
  const raw = incoming['x-request-id'];
  // Repeated ids (array) are ambiguous: mint our own rather than pick one.
  if (typeof raw === 'string' && REQUEST_ID.test(raw)) return raw;
  return newId();
}
