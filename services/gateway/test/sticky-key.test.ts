import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STICKY_KEY_OPTIONS, parseCookies, stickyKey } from '../src/routing/sticky-key.ts';
import type { KeySources } from '../src/routing/sticky-key.ts';

const opts = { ...DEFAULT_STICKY_KEY_OPTIONS, newId: () => 'minted-1' };

function src(p: { headers?: KeySources['headers']; query?: string; cookie?: string }): KeySources {
  return { headers: p.headers ?? {}, query: new URLSearchParams(p.query ?? ''), cookies: parseCookies(p.cookie) };
}

test('precedence: header > query > session cookie > gateway cookie > new', () => {
  const all = { headers: { 'x-user-id': 'h' }, query: 'user_id=q', cookie: 'session=s; ca_bucket=g' };
  assert.deepEqual(stickyKey(src(all), opts), { key: 'h', source: 'header' });
  assert.deepEqual(stickyKey(src({ ...all, headers: {} }), opts), { key: 'q', source: 'query' });
  assert.deepEqual(stickyKey(src({ cookie: all.cookie }), opts), { key: 's', source: 'session-cookie' });
  assert.deepEqual(stickyKey(src({ cookie: 'ca_bucket=g' }), opts), { key: 'g', source: 'gateway-cookie' });
  assert.deepEqual(stickyKey(src({}), opts), {
    key: 'minted-1',
    source: 'new',
    setCookie: 'ca_bucket=minted-1; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000',
  });
});

test('custom names, header name case-insensitive, array header takes the first', () => {
  const o = { ...opts, userHeader: 'X-Account', userQuery: 'acct', sessionCookie: 'sid', gatewayCookie: 'gw' };
  assert.deepEqual(stickyKey(src({ headers: { 'x-account': ['a1', 'a2'] } }), o), { key: 'a1', source: 'header' });
  assert.deepEqual(stickyKey(src({ query: 'user_id=no&acct=yes' }), o), { key: 'yes', source: 'query' });
  assert.deepEqual(stickyKey(src({ cookie: 'session=no; sid=yes' }), o), { key: 'yes', source: 'session-cookie' });
  assert.equal(stickyKey(src({}), o).setCookie?.startsWith('gw=minted-1;'), true);
});

test('oversize, empty and control-char values fall through to the next source', () => {
  const long = 'x'.repeat(129);
  assert.deepEqual(stickyKey(src({ headers: { 'x-user-id': long }, query: 'user_id=q' }), opts), { key: 'q', source: 'query' });
  assert.deepEqual(stickyKey(src({ headers: { 'x-user-id': 'x'.repeat(128) } }), opts).source, 'header');
  assert.deepEqual(stickyKey(src({ headers: { 'x-user-id': '  ' }, query: 'user_id=q' }), opts).source, 'query');
  assert.deepEqual(stickyKey(src({ query: 'user_id=a%0Ab', cookie: 'session=s' }), opts), { key: 's', source: 'session-cookie' });
  assert.deepEqual(stickyKey(src({ cookie: `session=${long}; ca_bucket=g` }), opts), { key: 'g', source: 'gateway-cookie' });
  assert.deepEqual(stickyKey(src({ cookie: 'ca_bucket=a%7Fb' }), opts).source, 'new');
  assert.deepEqual(stickyKey(src({ headers: { 'x-user-id': 'a\u0000b' } }), opts).source, 'new');
});

test('minted id is cookie-encoded and round-trips through parseCookies', () => {
  const r = stickyKey(src({}), { ...opts, newId: () => 'a b;c' });
  assert.equal(r.setCookie?.split(';')[0], 'ca_bucket=a%20b%3Bc');
  const value = r.setCookie?.split(';')[0] ?? '';
  assert.deepEqual(stickyKey(src({ cookie: value }), opts), { key: 'a b;c', source: 'gateway-cookie' });
});

test('prototype names in cookies are data, not lookups', () => {
  const o = { ...opts, sessionCookie: 'constructor', gatewayCookie: 'toString' };
  assert.equal(stickyKey(src({}), o).source, 'new');
  assert.deepEqual(stickyKey(src({ cookie: 'constructor=c' }), o), { key: 'c', source: 'session-cookie' });
});

test('parseCookies edge cases', () => {
  const plain = (h: string | undefined) => ({ ...parseCookies(h) });
  assert.deepEqual(plain(undefined), {});
  assert.deepEqual(plain(''), {});
  assert.deepEqual(plain('a=1; b=2'), { a: '1', b: '2' });
  assert.deepEqual(plain('a=1;b=2;;  c = 3 '), { a: '1', b: '2', c: '3' });
  assert.deepEqual(plain('a=1; a=2'), { a: '1' }, 'first occurrence wins');
  assert.deepEqual(plain('noequals; =v; b=2'), { b: '2' });
  assert.deepEqual(plain('a=x=y'), { a: 'x=y' });
  assert.deepEqual(plain('a='), { a: '' });
  assert.deepEqual(plain('a="quoted"'), { a: 'quoted' });
  assert.deepEqual(plain('a=%E2%9C%93; b=%zz; c=%E2%9C'), { a: '✓', b: '%zz', c: '%E2%9C' });
  const proto = parseCookies('__proto__=x; constructor=y');
  // biome-ignore lint/suspicious/noProto: a cookie named __proto__ must be a plain key, not the prototype
  assert.equal(proto['__proto__'], 'x');
  assert.equal(proto['constructor'], 'y');
  assert.equal(Object.getPrototypeOf({}).polluted, undefined);
});
