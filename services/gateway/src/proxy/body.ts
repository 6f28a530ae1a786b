import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';

/** The client's request body is at fault: never the backend's, never counted against its breaker. */
export class ClientBodyError extends Error {
  readonly failure: 'too-large' | 'malformed';
  constructor(failure: ClientBodyError['failure'], message: string) {
    super(message);
    this.name = 'ClientBodyError';
    this.failure = failure;
  }
}

export const hasBody = (req: IncomingMessage): boolean => {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
};

/** Streams the request body through, failing it once it passes `max` bytes (bodies are never buffered whole). */
export function limitedBody(req: IncomingMessage, max: number): Readable | null {
  if (!hasBody(req)) return null;
  let seen = 0;
  return req.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(seen > max ? new ClientBodyError('too-large', `request body is larger than ${max} bytes`) : null, chunk);
      },
    }),
  );
}

/**
 * The answer is settled while the client may still be sending its body: read and drop the rest, so
 * the socket never closes on unread input (that would reset it and lose the answer), and close the
 * connection after the answer, which no longer ends where a next request would begin.
 */
export function discardRest(req: IncomingMessage): Record<string, string> {
  if (req.complete || !hasBody(req)) return {};
  req.unpipe();
  req.resume();
  return { connection: 'close' };
}

/** Runs `answer` once the request body has been read (and dropped), so the answer can close the connection safely. */
export function afterBody(req: IncomingMessage, answer: () => void): void {
  if (req.complete || !hasBody(req)) return answer();
  req.once('end', answer);
  req.resume();
}
