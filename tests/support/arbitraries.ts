// Request bodies for property tests, built from a route's own body schema: every string, number,
// integer and array is drawn around the constraints the schema states (lengths, bounds, patterns),
// and hostile on purpose (NUL, lone surrogates, astral characters, whitespace-only, just too long).
import fc from 'fast-check';
import { DATE_INPUT } from '@cinemaabyss/api';

type Json = Record<string, unknown>;
type Arbitraries = Record<string, fc.Arbitrary<unknown>>;

/** Characters PostgreSQL text and jsonb cannot store: a body holding one must be refused. */
export const UNSTORABLE = ['\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF'];

/** Whitespace of JavaScript, Python or both: text made of these alone is blank. */
export const WHITESPACE = [
  ...[' ', '\t', '\n', '\r', '\u000B', '\f', '\u001C', '\u001F', '\u0085', '\u00A0'],
  ...['\u1680', '\u2007', '\u2028', '\u202F', '\u3000', '\uFEFF'],
];

const char = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, // any code point, astral often
  { weight: 2, arbitrary: fc.constantFrom(...WHITESPACE) },
  { weight: 1, arbitrary: fc.constantFrom('\u{1F600}', '\u{10FFFF}', '\uD7FF', '\uE000', '\uFFFE', '\u00E9', 'e\u0301') },
);

/** Storable text: short, blank, or within one character of the bounds. */
function cleanText(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: char, maxLength: Math.min(12, maxLength + 1) }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...WHITESPACE), maxLength: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: char, minLength: Math.max(0, minLength - 1), maxLength: minLength + 1 }) },
    { weight: 1, arbitrary: fc.string({ unit: char, minLength: maxLength - 1, maxLength: maxLength + 1 }) },
  );
}

/** Text with one unstorable code unit inserted anywhere (even between the halves of a pair), or a leading BOM. */
function poisoned(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(text, fc.nat(), fc.constantFrom(...UNSTORABLE)).map(([s, at, bad]) => s.slice(0, at % (s.length + 1)) + bad + s.slice(at % (s.length + 1))),
    text.map((s) => `\uFEFF${s}`),
  );
}

/**
 * The oracle, written apart from the schema's patterns: no NUL, no lone surrogate (with the `u`
 * flag a valid pair is one code point, so \p{Cs} finds only lone ones), no leading U+FEFF (which
 * PGlite's reader drops as a byte order mark).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what PostgreSQL cannot store
export const isStorable = (s: string): boolean => !/[\u0000\p{Cs}]/u.test(s) && !s.startsWith('\uFEFF');

/** Dates around every edge the API decides on: the year range, offsets, leap seconds, precision, case. */
export const dateInput: fc.Arbitrary<string> = (() => {
  const two = (n: number) => String(n).padStart(2, '0');
  const often = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: usual }, { weight: 1, arbitrary: odd });
  const year = often(fc.integer({ min: 1900, max: 9999 }), fc.constantFrom(1, 50, 99, 100, 1899, 1900, 1970, 2000, 9999, 10000));
  const offset = often(
    fc.oneof(
      fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+14:00', '-12:00', '+05:45'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${two(h)}:${two(m)}`),
    ),
    fc.constantFrom('+0100', '+01', '', '+24:00'),
  );
  const time = fc
    .record({
      sep: often(fc.constantFrom('T', 't'), fc.constant(' ')),
      hour: often(fc.integer({ min: 0, max: 23 }), fc.constant(24)),
      minute: fc.integer({ min: 0, max: 59 }),
      second: often(fc.integer({ min: 0, max: 59 }), fc.constant(60)),
      fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.[0-9]{1,9}$/)),
      offset,
    })
    .map((t) => `${t.sep}${two(t.hour)}:${two(t.minute)}:${two(t.second)}${t.fraction}${t.offset}`);
  const composed = fc
    .tuple(year, fc.integer({ min: 1, max: 12 }), often(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 29, max: 31 })), fc.option(time, { nil: '' }))
    .map(([y, m, d, t]) => `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}${t}`);
  const edges = fc.constantFrom(
    '1900-01-01',
    '9999-12-31',
    '9999-12-31T23:59:59.999Z',
    '1900-01-01T00:00:00+00:01',
    '9999-12-31T23:59:59-00:01',
    '0050-01-01',
    '0001-03-01',
    '2016-12-31T23:59:60Z',
    '2024-02-29',
    '2025-02-29',
    '2025-01-01T00:00:00.123456789+14:00',
    'yesterday',
    '',
    '2025-01-01T00:00:00Z\n',
  );
  return fc.oneof({ weight: 12, arbitrary: composed }, { weight: 2, arbitrary: edges }, { weight: 1, arbitrary: poisoned(edges) });
})();

/** Numbers at and just past the bounds, the smallest and negative zero, and anything between. */
function numberFor(schema: Json, integer: boolean): fc.Arbitrary<unknown> {
  const min = (schema['minimum'] ?? schema['exclusiveMinimum'] ?? -1e6) as number;
  const max = (schema['maximum'] ?? schema['exclusiveMaximum'] ?? 1e6) as number;
  if (integer) {
    return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, min - 1, max + 1, 0, 1.5));
  }
  return fc.oneof(
    { weight: 2, arbitrary: fc.double({ min, max, noNaN: true }) },
    { weight: 4, arbitrary: fc.integer({ min: Math.ceil(min * 100), max: Math.floor(Math.min(max, 1e12) * 100) }).map((c) => c / 100) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...[min, max, min - 0.01, max + 0.01, max - 1e-6, 0, -0, 5e-324, -5e-324],
        ...[2.2250738585072014e-308, 1e-9, 0.1 + 0.2, 1.005, Number.MAX_VALUE],
      ),
    },
  );
}

function arbitraryFor(schema: Json): fc.Arbitrary<unknown> {
  switch (schema['type']) {
    case 'string': {
      if (schema['pattern'] === DATE_INPUT) return dateInput;
      const text = cleanText((schema['minLength'] ?? 0) as number, (schema['maxLength'] ?? 100) as number);
      return fc.oneof({ weight: 10, arbitrary: text }, { weight: 1, arbitrary: poisoned(text) });
    }
    case 'number':
      return numberFor(schema, false);
    case 'integer':
      return numberFor(schema, true);
    case 'array': {
      const maxItems = (schema['maxItems'] ?? 5) as number;
      const item = arbitraryFor(schema['items'] as Json);
      return fc.oneof(
        { weight: 6, arbitrary: fc.array(item, { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.array(item, { minLength: maxItems, maxLength: maxItems + 1 }) },
      );
    }
    default:
      throw new Error(`no arbitrary for schema type ${String(schema['type'])}`);
  }
}

/**
 * Bodies for a TypeBox object schema: optional fields sometimes left out; `fields` replaces the
 * arbitrary of a field whose valid values live in the database (a user id that exists).
 */
export function bodyFor(schema: object, fields: Arbitraries = {}): fc.Arbitrary<Json> {
  const { properties, required = [] } = schema as { properties: Record<string, Json>; required?: string[] };
  const model: Arbitraries = {};
  for (const [key, property] of Object.entries(properties)) model[key] = fields[key] ?? arbitraryFor(property);
  return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Json>;
}

/** Every string in a body, with the field it sits in (`genres.2`), for the storability oracle. */
export function stringsOf(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** A copy of `body` with the string at `path` (as `stringsOf` names it: `genres.1`) replaced. */
export function withString<T extends object>(body: T, path: string, value: string): T {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let at = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return copy;
}
