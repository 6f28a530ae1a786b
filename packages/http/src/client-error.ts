import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Answers for requests Node's parser refuses before Fastify sees them, by Node's error code. */
const refusals: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request took too long to arrive'],
};

/**
 * Node's `clientError` (malformed request line or headers, unknown method, header block too large,
 * request timeout): the same `{"error": "..."}` JSON as every other error, then the connection closes.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset or destroyed socket has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = refusals[error.code ?? ''] ?? [400, 'malformed HTTP request'];
  const body = JSON.stringify({ error: message });
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
