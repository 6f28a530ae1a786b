import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Requests HTTP/1.1 tells a server to refuse, which Node's parser lets through: a version other
 * than 1.x (`HTTP/2.0` on a cleartext HTTP/1 connection, the version-less HTTP/0.9 line), and a
 * request with more than one Host header or, in HTTP/1.1, none (RFC 9112 §3.2). Returns the
 * status and message to answer with, or undefined.
 */
export function protocolViolation(req: IncomingMessage): [status: number, message: string] | undefined {
  // Node reads a request line without a version as HTTP/0.9: for HTTP/1 that line is malformed.
  if (req.httpVersionMajor === 0) return [400, 'the request line has no HTTP version'];
  if (req.httpVersionMajor !== 1) return [505, `HTTP/${req.httpVersion} is not supported`];
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return [400, 'more than one Host header'];
  if (hosts === 0 && req.httpVersionMinor >= 1) return [400, 'Host header is missing'];
  return undefined;
}

/** Answers a refused request with the usual JSON error and closes the connection. */
export function refuse(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.shouldKeepAlive = false;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}
