import Type from 'typebox';

// Subscription dates. PostgreSQL's timestamptz keeps microseconds from 4713 BC on; JavaScript's Date
// keeps milliseconds and parses no leap second. The API accepts what both represent and what
// reads back as the same ISO string: RFC 3339 dates and date-times, years 1900–9999.

/**
 * Spelt so that Ajv (JavaScript) and schemathesis (Python) agree: explicit classes (no \d), and
 * `(?!\n)` because Python's `$` also matches before a final newline. Groups: year, month, day,
 * hour, minute, second, fraction, offset sign, offset hours, offset minutes.
 */
export const DATE_INPUT =
  '^(19[0-9]{2}|[2-9][0-9]{3})-([0-9]{2})-([0-9]{2})' +
  '(?:[Tt]([0-9]{2}):([0-9]{2}):([0-5][0-9])(?:\\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2})))?$(?!\\n)';

/**
 * `2025-01-31` (midnight UTC) or `2025-01-31T10:00:00Z`, any offset. The pattern carries the year
 * range and refuses leap seconds; the formats check the calendar (month lengths, hours, offsets).
 */
export const DateInput = Type.String({
  pattern: DATE_INPUT,
  anyOf: [{ format: 'date' }, { format: 'date-time' }],
  description: 'ISO 8601 date or date-time, years 1900–9999 (UTC); kept to the millisecond',
  examples: ['2025-01-01T00:00:00Z'],
});

const PARTS = new RegExp(DATE_INPUT, 'u');
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The instant a schema-valid DateInput names, truncated to the millisecond (all Date and the API
 * keep), or undefined when it falls outside 1900–9999 in UTC (an offset can move a boundary date
 * across it). Parsed here rather than by `new Date()`, whose leniency varies between forms.
 */
export function dateInputInstant(text: string): Date | undefined {
  const parts = PARTS.exec(text);
  if (!parts) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes] = parts.map((part) => part ?? '');
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const millisecond = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute) - offset, Number(second), millisecond);
  return ms >= EARLIEST && ms <= LATEST ? new Date(ms) : undefined;
}
