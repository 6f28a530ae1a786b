import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerOnSocket } from './client-error.ts';
import { methodNotAllowed, noRoute, sendError } from './errors.ts';

/** The path as the router matches it: no query, percent-decoded, no trailing slash. */
function routedPath(url: string): string {
  const raw = url.split('?')[0] ?? '/';
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    path = raw;
  }
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

/**
 * Requests no route serves: a known path asked with a method it does not serve is 405 with
 * `Allow` (OPTIONS answers 204 with the same `Allow`), any other path is 404. They are answered
 * on arrival, before the body is read, so no header (a missing or odd Content-Type, a
 * Content-Encoding) can turn them into a 400 or a 415 first.
 */
export function answerUnrouted(app: FastifyInstance): void {
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const set = methods.get(route.url) ?? new Set<string>(['OPTIONS']);
    for (const m of [route.method].flat()) set.add(m);
    methods.set(route.url, set);
  });

  const allowOn = (path: string) => {
    const allowed = methods.get(path);
    return allowed && [...allowed].sort().join(', ');
  };

  const answer = (request: FastifyRequest, reply: FastifyReply) => {
    const path = routedPath(request.url);
    const allow = allowOn(path);
    if (!allow) return sendError(reply, noRoute(request.method, path));
    reply.header('allow', allow);
    if (request.method === 'OPTIONS') return reply.code(204).send();
    return sendError(reply, methodNotAllowed(request.method, path));
  };
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return answer(request, reply);
  });
  app.setNotFoundHandler(answer);

  // CONNECT (a tunnel request) never reaches Fastify: Node hands over the bare socket.
  app.server.on('connect', (request: { url?: string }, socket: Duplex) => {
    const path = routedPath(request.url ?? '/');
    const allow = allowOn(path);
    if (allow) answerOnSocket(socket, 405, methodNotAllowed('CONNECT', path).message, { Allow: allow });
    else answerOnSocket(socket, 404, noRoute('CONNECT', path).message);
  });
}
