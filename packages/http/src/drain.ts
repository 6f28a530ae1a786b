import type { FastifyInstance } from 'fastify';
import { unavailable } from './errors.ts';

const drains = new WeakMap<FastifyInstance, (windowMs: number) => Promise<void>>();

/**
 * Lets `drain` empty the app's keep-alive connections before it closes. Closing a connection
 * that looks idle races with the client's next request already on the wire, which then meets a
 * reset: so first every request gets a 503 with `Connection: close`, which closes its connection
 * from our side only once the client knows not to reuse it.
 */
export function installDrain(app: FastifyInstance): void {
  let draining = false;
  // Every answer while draining closes its connection (404s and 405s, answered on arrival, too).
  app.addHook('onRequest', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  // The 503 comes once the body is read: closing a socket with unread input resets it.
  app.addHook('preValidation', async () => {
    if (draining) throw unavailable('service is shutting down');
  });
  // `app.close()` alone (no drain first) answers 503 on the connections it waits for, too.
  app.addHook('preClose', async () => {
    draining = true;
  });
  drains.set(app, async (windowMs) => {
    draining = true;
    await connectionsClosed(app, windowMs);
  });
}

/** Resolves once the app's server has no connection left open, or after `windowMs`. */
export async function connectionsClosed(app: FastifyInstance, windowMs: number): Promise<void> {
  const deadline = Date.now() + windowMs;
  while (Date.now() < deadline && (await openConnections(app)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function openConnections(app: FastifyInstance): Promise<number> {
  return new Promise((resolve) => {
    if (!app.server.listening) resolve(0);
    else app.server.getConnections((error, count) => resolve(error ? 0 : count));
  });
}

/**
 * Answers every request with 503 + `Connection: close` until no connection is left open, or for
 * at most `windowMs`: what stays open that long is idle, and `app.close()` may then close it.
 * Requests already running finish as usual.
 */
export async function drain(app: FastifyInstance, windowMs: number): Promise<void> {
  await drains.get(app)?.(windowMs);
}
