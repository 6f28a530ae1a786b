import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downstreamResponseHeaders, requestIdOf, upstreamRequestHeaders } from '../src/proxy/headers.ts';
import type { ForwardContext } from '../src/proxy/headers.ts';

const ctx: ForwardContext = { clientIp: '203.0.113.7', proto: 'https', host: 'cinema.example', requestId: 'req-1' };
const plain = (h: Record<string, string | string[]>) => ({ ...h });

test('hop-by-hop headers are removed, including those named in Connection', () => {
  const out = upstreamRequestHeaders(
    {
      connection: 'keep-alive, X-Secret-Hop , upgrade',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      'proxy-authenticate': 'Basic',
      'proxy-authorization': 'Basic abc',
      te: 'trailers',
      trailer: 'x-checksum',
      'transfer-encoding': 'chunked',
      upgrade: 'websocket',
      'x-secret-hop': 'drop me',
      accept: 'application/json',
      authorization: 'Bearer t',
    },
    ctx,
  );
  assert.deepEqual(Object.keys(out).sort(), ['accept', 'authorization', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-request-id']);
});

test('Connection given as an array and with mixed-case names', () => {
  const out = upstreamRequestHeaders({ connection: ['close', 'X-A'], 'x-a': '1', 'X-B': '2' }, ctx);
  assert.equal(out['x-a'], undefined);
  assert.equal(out['x-b'], '2');
  assert.equal(out['connection'], undefined);
});

test('X-Forwarded-For: set, or appended to an existing chain', () => {
  assert.equal(upstreamRequestHeaders({}, ctx)['x-forwarded-for'], '203.0.113.7');
  assert.equal(upstreamRequestHeaders({ 'x-forwarded-for': '198.51.100.1' }, ctx)['x-forwarded-for'], '198.51.100.1, 203.0.113.7');
  assert.equal(
    upstreamRequestHeaders({ 'x-forwarded-for': ['10.0.0.1, 10.0.0.2', '10.0.0.3'] }, ctx)['x-forwarded-for'],
    '10.0.0.1, 10.0.0.2, 10.0.0.3, 203.0.113.7',
  );
  assert.equal(upstreamRequestHeaders({ 'x-forwarded-for': '' }, ctx)['x-forwarded-for'], '203.0.113.7');
});

test('host dropped; X-Forwarded-Host/Proto set from context, not from the client', () => {
  const out = upstreamRequestHeaders({ host: 'cinema.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }, ctx);
  assert.equal(out['host'], undefined);
  assert.equal(out['x-forwarded-host'], 'cinema.example');
  assert.equal(out['x-forwarded-proto'], 'https');
  const noHost = upstreamRequestHeaders({ 'x-forwarded-host': 'evil.example' }, { ...ctx, host: undefined, proto: 'http' });
  assert.equal(noHost['x-forwarded-host'], undefined);
  assert.equal(noHost['x-forwarded-proto'], 'http');
});

test('expect dropped: the gateway has answered it (100 Continue) itself', () => {
  const out = upstreamRequestHeaders({ expect: '100-continue', 'content-length': '5' }, ctx);
  assert.equal(out['expect'], undefined);
  assert.equal(out['content-length'], '5');
});

test('traceparent/tracestate kept verbatim; X-Request-Id set to the given id; multi-values kept', () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const out = upstreamRequestHeaders(
    { traceparent: tp, tracestate: 'congo=t61rcWkgMzE', 'x-request-id': 'client-id', cookie: 'a=1', 'x-multi': ['1', '2'], 'x-undef': undefined },
    ctx,
  );
  assert.equal(out['traceparent'], tp);
  assert.equal(out['tracestate'], 'congo=t61rcWkgMzE');
  assert.equal(out['x-request-id'], 'req-1');
  assert.equal(out['cookie'], 'a=1');
  assert.deepEqual(out['x-multi'], ['1', '2']);
  assert.equal('x-undef' in out, false);
});

test('input is not mutated', () => {
  const incoming = { host: 'h', connection: 'x-a', 'x-a': '1', 'x-forwarded-for': '1.1.1.1' };
  const copy = structuredClone(incoming);
  upstreamRequestHeaders(incoming, ctx);
  downstreamResponseHeaders(incoming);
  assert.deepEqual(incoming, copy);
});

test('downstream: hop-by-hop removed, set-cookie array and end-to-end headers kept', () => {
  const out = downstreamResponseHeaders({
    connection: 'close, x-internal',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'x-internal': 'secret',
    'content-type': 'application/json',
    'set-cookie': ['a=1', 'b=2'],
    'cache-control': 'no-store',
  });
  assert.deepEqual(plain(out), {
    'content-type': 'application/json',
    'set-cookie': ['a=1', 'b=2'],
    'cache-control': 'no-store',
  });
});

test('requestIdOf: sane client ids kept, anything else replaced', () => {
  const mint = () => 'new-id';
  for (const ok of ['abc', 'A-Z_0.9:x', 'x'.repeat(128), '4bf92f35-77b3-4da6-a3ce-929d0e0e4736']) {
    assert.equal(requestIdOf({ 'x-request-id': ok }, mint), ok);
  }
  for (const bad of [undefined, '', 'x'.repeat(129), 'a b', 'a\r\nb', 'ü', 'a,b', '<script>', ['a', 'b']]) {
    assert.equal(requestIdOf({ 'x-request-id': bad }, mint), 'new-id', JSON.stringify(bad));
  }
  assert.equal(requestIdOf({}, mint), 'new-id');
});
