import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Sets `etag` on the answer and tells whether the client already holds it (RFC 9110 §13.1.2:
 * If-None-Match takes `*` or a list of tags, compared weakly, so `W/"x"` matches `"x"`); the caller
 * then answers 304 without a body. Hand-written: @fastify/etag hashes every payload to make its tag
 * and compares the header as one string, where the catalogue already holds its tag and lists must match.
 */
export function notModified(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag);
  const header = request.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}
