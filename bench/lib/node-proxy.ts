// A minimal Node reverse proxy for bench/gateway.ts: node:http server, undici Pool to the upstream
// (64 keep-alive connections, as the gateway's pool), hop-by-hop headers dropped, body streamed
// back. No routing, logging, metrics, limits or breakers. It shows what one Node process can proxy
// on this machine, so the gap between it and the gateway is the gateway's own per-request work.
//   UPSTREAM=http://127.0.0.1:<port> PORT=<port> node bench/lib/node-proxy.ts
// Experiment knobs, each copying one thing the gateway does per request:
//   BASELINE_PIPE=pipeline    stream the answer with stream.pipeline instead of .pipe()
//   BASELINE_SIGNAL=any       pass AbortSignal.any([per-request controller, AbortSignal.timeout(30 s)])
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';

const pool = new Pool(process.env['UPSTREAM']!, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
const usePipeline = process.env['BASELINE_PIPE'] === 'pipeline';
const useSignal = process.env['BASELINE_SIGNAL'] === 'any';
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function forwardHeaders(headers: IncomingHttpHeaders, clientIp: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP.has(name)) out[name] = value;
  out['x-forwarded-for'] = clientIp;
  return out;
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool
    .request({
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      path: req.url ?? '/',
      headers: forwardHeaders(req.headers, req.socket.remoteAddress ?? ''),
      body: hasBody ? req : null,
      ...(useSignal ? { signal: AbortSignal.any([new AbortController().signal, AbortSignal.timeout(30_000)]) } : {}),
    })
    .then(
      ({ statusCode, headers, body }) => {
        body.on('error', () => res.destroy());
        if (res.destroyed) return void body.destroy(); // the client left while the upstream answered
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP.has(name)) out[name] = value;
        res.writeHead(statusCode, out);
        if (usePipeline) {
          pipeline(body, res, (error) => error && res.destroy());
        } else {
          body.pipe(res);
        }
      },
      () => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('bad gateway');
      },
    );
});
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1');

const stop = () => {
  server.close(() => void pool.close().finally(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
