// A trivial, fast upstream for bench/gateway.ts: answers every request with the same ~300-byte
// JSON document (a movie, as the movies service would), keep-alive, no database. With it the
// proxies in front are what the benchmark measures. Run as a child process:
//   PORT=<port> node bench/lib/trivial-upstream.ts
import { createServer } from 'node:http';

const body = Buffer.from(
  JSON.stringify({
    id: 1,
    title: 'The Shawshank Redemption',
    description: 'Two imprisoned men bond over a number of years, finding solace and eventual redemption through acts of common decency.',
    genres: ['Drama'],
    rating: 9.3,
    served_by: 'trivial-upstream',
    note: 'fixed answer for benchmarks',
  }),
);
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1');

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
