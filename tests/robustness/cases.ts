// The classes of hostile input of issue #9, as case tables any service's suite can instantiate for
// its own routes. Each generator names what it sends; the expected status follows the shared
// decisions: bad body 400 naming the field, unsupported media 415, too large 413, a method a known
// path does not serve 405 with Allow, unknown path 404, malformed HTTP 400, oversize head 431.
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { http, postJson, type Case } from './support.ts';

type Body = Record<string, unknown>;

/** Strings the database (text, jsonb) cannot store exactly: NUL and lone UTF-16 surrogates. */
const UNSTORABLE: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', 'a\udc00b'],
  ['surrogates in the wrong order', 'a\udc00\ud800b'],
];

const field = (name: string) => new RegExp(`body\\.${name}\\b`);

/** NUL and lone surrogates in every text field (`genres: ['x']` means: in an element of the array). */
export function unstorableText(path: string, valid: Body, textFields: string[]): Case[] {
  return textFields.flatMap((name) =>
    UNSTORABLE.map(([what, text]) => {
      const value = Array.isArray(valid[name]) ? ['Drama', text] : text;
      return { name: `POST ${path}: ${what} in ${name}`, request: postJson(path, { ...valid, [name]: value }), status: 400, error: field(name) };
    }),
  );
}

/** Bodies that are not the JSON object the route takes, or not JSON at all. */
export function malformedJson(path: string, valid: Body): Case[] {
  const json = JSON.stringify(valid);
  const [first] = Object.keys(valid) as [string];
  const { [first]: _missing, ...withoutFirst } = valid;
  const bodies: Array<[string, string | Buffer]> = [
    ['invalid JSON', '{"a": '],
    ['truncated JSON', json.slice(0, -1)],
    ['trailing garbage after the object', `${json}x`],
    ['two JSON objects', `${json}${json}`],
    ['JSON array', `[${json}]`],
    ['JSON null', 'null'],
    ['JSON string', '"text"'],
    ['JSON number', '42'],
    ['empty body', ''],
    ['whitespace body', ' \r\n\t'],
    ['single quotes', json.replaceAll('"', "'")],
    ['comment in JSON', `/* c */${json}`],
    ['10,000 nested arrays', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['UTF-16 encoded body', Buffer.from(json, 'utf16le')],
    ['prototype pollution', `{"__proto__": {"polluted": true}, ${json.slice(1)}`],
    ['constructor pollution', `{"constructor": {"prototype": {"polluted": true}}, ${json.slice(1)}`],
    ['missing field', JSON.stringify(withoutFirst)],
    ['unknown field', JSON.stringify({ ...valid, id: 77 })],
  ];
  // Bytes that are not UTF-8 inside a text value: a decoder that substitutes U+FFFD would store
  // something the client never sent.
  const text = Object.keys(valid).find((key) => typeof valid[key] === 'string');
  if (text) {
    const [before, after] = JSON.stringify({ ...valid, [text]: '\u0001' }).split('\\u0001') as [string, string];
    bodies.push(['text value not valid UTF-8', Buffer.concat([Buffer.from(before), Buffer.from([0x61, 0xc3, 0x28, 0xff]), Buffer.from(after)])]);
  }
  return bodies.map(([what, body]) => ({ name: `POST ${path}: ${what}`, request: postJson(path, body), status: 400 }));
}

/** A value of the wrong JSON type in each field (no coercion: "5" is not 5, 5 is not "5"). */
export function wrongTypes(path: string, valid: Body): Case[] {
  return Object.entries(valid).flatMap(([name, value]) => {
    const wrong: unknown[] = typeof value === 'number' ? [String(value), true, null] : typeof value === 'string' ? [12, [value], null] : [{ value }, 'text'];
    return wrong.map((w) => ({
      name: `POST ${path}: ${name} = ${JSON.stringify(w)}`,
      request: postJson(path, { ...valid, [name]: w }),
      status: 400,
      error: field(name),
    }));
  });
}

/** Amounts numeric(12,2) cannot store exactly: at least 0.01, at most two decimals, at most 9,999,999,999.99. */
export function amounts(path: string, valid: Body): Case[] {
  return ['1e-9', '5e-324', '0.001', '0.005', '0', '-0', '-1', '1.234', '10000000000', '1e400', '-1e400'].map((amount) => ({
    name: `POST ${path}: amount ${amount}`,
    request: postJson(path, JSON.stringify({ ...valid, amount: 0 }).replace('"amount":0', `"amount":${amount}`)),
    status: 400,
    error: /body\.amount/,
  }));
}

/** Dates outside 1900–9999, impossible calendar dates and odd date-times, in each date field. */
export function dates(path: string, valid: Body, dateFields: string[]): Case[] {
  const dates = [
    '0001-03-01',
    '0050-01-01',
    '0099-12-31T23:59:59Z',
    '1899-12-31',
    '+010000-01-01',
    '-000001-01-01',
    '2025-02-30',
    '2025-13-01',
    '2025-00-10',
    '2025-01-01T24:00:01Z',
    '2025-01-01T10:00:00+25:00',
    '2025-1-1',
    'tomorrow',
    '',
  ];
  return dateFields.flatMap((name) =>
    dates.map((date) => ({
      name: `POST ${path}: ${name} ${JSON.stringify(date)}`,
      // The other date stays valid and consistent: only this field is wrong.
      request: postJson(path, { ...valid, [name]: date }),
      status: 400,
      error: field(name),
    })),
  );
}

/** Media types, charsets and content codings the services do not read; and bodies over 1 MiB. */
export function mediaAndSize(path: string, valid: Body): Case[] {
  const json = JSON.stringify(valid);
  const coded = (coding: string, body: Buffer | string): Case => ({
    name: `POST ${path}: Content-Encoding ${coding}`,
    request: postJson(path, body, ['Content-Type: application/json', `Content-Encoding: ${coding}`]),
    status: 415,
  });
  const typed = (type: string | null, body: string | Buffer = json): Case => ({
    name: `POST ${path}: ${type === null ? 'no Content-Type' : `Content-Type ${type}`}`,
    request: http('POST', path, { headers: type === null ? [] : [`Content-Type: ${type}`], body }),
    status: 415,
  });
  const oversize = Buffer.alloc(1024 * 1024 + 1, ' ');
  oversize.write(json);
  return [
    typed(null),
    typed('text/plain'),
    typed('application/x-www-form-urlencoded', 'a=1'),
    typed('multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'),
    typed('application/xml', '<a/>'),
    typed('application/jsonx'),
    typed('application/json; charset=latin1'),
    typed('application/json; charset=iso-8859-1'),
    typed('application/json; charset=utf-16', Buffer.from(json, 'utf16le')),
    typed('application/json; charset=us-ascii'),
    coded('gzip', gzipSync(json)),
    coded('br', brotliCompressSync(json)),
    coded('deflate', deflateSync(json)),
    coded('x-unknown', json),
    coded('gzip, identity', gzipSync(json)),
    { name: `POST ${path}: 1 MiB + 1 byte`, request: postJson(path, oversize), status: 413 },
    {
      name: `POST ${path}: 1 MiB + 1 byte, chunked`,
      request: http('POST', path, {
        headers: ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        body: Buffer.concat([Buffer.from(`${oversize.length.toString(16)}\r\n`), oversize, Buffer.from('\r\n0\r\n\r\n')]),
      }),
      status: 413,
    },
  ];
}

/** Methods `path` does not serve: 405 listing `allow`, whatever the headers; OPTIONS: 204 with the same Allow. */
export function wrongMethods(path: string, allow: string[]): Case[] {
  const json = ['Content-Type: application/json'];
  const requests: Array<[string, Buffer]> = [
    ['PUT', http('PUT', path, { headers: json, body: '{}' })],
    ['PATCH', http('PATCH', path, { headers: json, body: '{}' })],
    ['DELETE', http('DELETE', path)],
    ['TRACE', http('TRACE', path)],
    ['QUERY without a body', http('QUERY', path)],
    ['QUERY with a JSON body', http('QUERY', path, { headers: json, body: '{}' })],
    ['QUERY with a form body', http('QUERY', path, { headers: ['Content-Type: application/x-www-form-urlencoded'], body: 'a=1' })],
    ...(allow.includes('POST') ? [] : ([['POST', http('POST', path, { headers: json, body: '{}' })]] as Array<[string, Buffer]>)),
  ];
  return [
    ...requests.map(([what, request]) => ({ name: `${what} ${path}`, request, status: 405, allow })),
    { name: `OPTIONS ${path}`, request: http('OPTIONS', path), status: 204, allow, empty: true },
  ];
}

/** Bad query values for integer parameters. */
export function integers(path: string, param: string, extra = ''): Case[] {
  return ['abc', '0', '-1', '1.5', '2147483648', '99999999999999999999', '1e309', '0x10', '', '%00', '1%00', `1&${param}=2`].map((value) => ({
    name: `GET ${path}?${extra}${param}=${value}`,
    request: http('GET', `${path}?${extra}${param}=${value}`),
    status: 400,
    error: new RegExp(`querystring\\.${param}`),
  }));
}

/** Malformed HTTP/1.1: framing, header syntax, smuggling attempts, versions, oversize heads. */
export function framing(path: string, valid: Body): Case[] {
  const json = JSON.stringify(valid);
  const head = (lines: string[]) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
  const type = 'Content-Type: application/json';
  // A second request hidden in the first one's body: if the server splits the stream differently
  // from a proxy, this one would run; it must not (the row counts show it).
  const smuggled = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${type}\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
  const chunked = (...lines: string[]) => head([type, 'Transfer-Encoding: chunked', ...lines]);
  const raw: Array<[string, number, string]> = [
    ['Content-Length shorter than the body', 400, head([type, `Content-Length: ${Buffer.byteLength(json) - 2}`]) + json],
    ['Content-Length and Transfer-Encoding both (CL.TE)', 400, `${head([type, `Content-Length: 4`, 'Transfer-Encoding: chunked'])}0\r\n\r\n${smuggled}`],
    [
      'Transfer-Encoding and Content-Length both (TE.CL)',
      400,
      `${head([type, 'Transfer-Encoding: chunked', `Content-Length: ${Buffer.byteLength(smuggled) + 5}`])}0\r\n\r\n${smuggled}`,
    ],
    ['two different Content-Length headers', 400, head([type, 'Content-Length: 2', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['Content-Length list', 400, head([type, `Content-Length: ${Buffer.byteLength(json)}, 2`]) + json],
    ['Content-Length with a sign', 400, head([type, `Content-Length: +${Buffer.byteLength(json)}`]) + json],
    ['negative Content-Length', 400, head([type, 'Content-Length: -1']) + json],
    ['non-numeric Content-Length', 400, head([type, 'Content-Length: ten']) + json],
    ['chunk size not hexadecimal', 400, `${chunked()}zz\r\n${json}\r\n0\r\n\r\n`],
    ['chunk size overflowing 64 bits', 400, `${chunked()}10000000000000000000\r\n${json}\r\n0\r\n\r\n`],
    ['chunk data longer than its size', 400, `${chunked()}2\r\n${json}\r\n0\r\n\r\n`],
    ['Transfer-Encoding other than chunked', 400, head([type, 'Transfer-Encoding: gzip']) + json],
    ['Transfer-Encoding chunked, then identity', 400, head([type, 'Transfer-Encoding: chunked, identity']) + json],
    ['Transfer-Encoding xchunked', 400, head([type, 'Transfer-Encoding: xchunked', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['space before the colon of Transfer-Encoding', 400, head([type, 'Transfer-Encoding : chunked', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['vertical tab in Transfer-Encoding', 400, head([type, 'Transfer-Encoding:\x0bchunked', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['obs-fold header continuation', 400, head([type, 'X-Folded: a', ' b', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['NUL in a header value', 400, head([type, 'X-Bad: a\0b', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['bare CR in a header value (header injection)', 400, head([type, 'X-Bad: a\rContent-Length: 0', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    [
      'bare LF in a header value (header injection)',
      400,
      head([type, `X-Bad: a\nTransfer-Encoding: chunked`, `Content-Length: ${Buffer.byteLength(json)}`]) + json,
    ],
    ['header name with a space', 400, head([type, 'X Bad: a', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['no Host header', 400, `POST ${path} HTTP/1.1\r\nConnection: close\r\n${type}\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`],
    ['two Host headers', 400, head([type, 'Host: evil.example', `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    ['HTTP/0.9 request line', 400, `GET ${path}\r\n\r\n`],
    ['HTTP/1.2', 400, `GET ${path} HTTP/1.2\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['HTTP/2.0 in an HTTP/1 request line', 505, `GET ${path} HTTP/2.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['malformed version', 400, `GET ${path} HTTX/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['extra token in the request line', 400, `GET ${path} HTTP/1.1 x\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['unknown method', 400, `BREW ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['one 20 KiB header', 431, head([`X-Big: ${'a'.repeat(20 * 1024)}`, type, `Content-Length: ${Buffer.byteLength(json)}`]) + json],
    [
      '1,000 headers',
      431,
      head([...Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${'v'.repeat(12)}`), type, `Content-Length: ${Buffer.byteLength(json)}`]) + json,
    ],
    ['a 20 KiB request target', 431, `GET ${path}?q=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
  ];
  return raw.map(([what, status, request]) => ({ name: `${what} (${path})`, request, status }));
}

/** Request targets that name no route on a service. */
export function unknownPaths(paths: string[]): Case[] {
  return paths.map((target) => ({ name: `GET ${target} (no such route)`, request: http('GET', target), status: 404 }));
}
