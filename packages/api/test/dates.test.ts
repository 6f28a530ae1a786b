import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATE_INPUT, dateInputInstant } from '@cinemaabyss/api';

const pattern = new RegExp(DATE_INPUT, 'u');
const iso = (text: string) => dateInputInstant(text)?.toISOString();

test('the pattern: years 1900-9999, RFC 3339 forms only, no leap second', () => {
  for (const ok of [
    '1900-01-01',
    '9999-12-31',
    '2025-01-31T10:00:00Z',
    '2025-01-31t10:00:00z',
    '2025-01-31T10:00:00.123456789+14:00',
    '2025-01-31T10:00:00-00:00',
  ]) {
    assert.ok(pattern.test(ok), ok);
  }
  const bad = [
    '1899-12-31',
    '0050-01-01',
    '0001-03-01',
    '10000-01-01',
    '+02025-01-01',
    '2016-12-31T23:59:60Z',
    '2025-01-31 10:00:00Z',
    '2025-01-31T10:00:00+0100',
    '2025-01-31T10:00:00+01',
    '2025-01-31T10:00:00',
    '2025-01-31T10:00Z',
    '2025-01-31\n',
    '2025-01-31T10:00:00Z\n',
    '２０２５-01-01',
  ];
  for (const text of bad) assert.ok(!pattern.test(text), JSON.stringify(text));
});

test('the instant: UTC, offsets applied, kept to the millisecond (truncated)', () => {
  assert.equal(iso('2025-01-31'), '2025-01-31T00:00:00.000Z');
  assert.equal(iso('2025-01-01T00:00:00+14:00'), '2024-12-31T10:00:00.000Z');
  assert.equal(iso('2025-01-01T00:00:00-12:30'), '2025-01-01T12:30:00.000Z');
  assert.equal(iso('2025-01-01t00:00:00z'), '2025-01-01T00:00:00.000Z');
  assert.equal(iso('2025-01-01T00:00:00.9999999Z'), '2025-01-01T00:00:00.999Z');
  assert.equal(iso('2025-01-01T00:00:00.5Z'), '2025-01-01T00:00:00.500Z');
  assert.equal(iso('1900-01-01T00:00:00.0001Z'), '1900-01-01T00:00:00.000Z');
  assert.equal(iso('9999-12-31T23:59:59.999999Z'), '9999-12-31T23:59:59.999Z');
  assert.equal(iso('2024-02-29T23:59:59-23:59'), '2024-03-01T23:58:59.000Z');
});

test('the instant: an offset carrying a date out of 1900-9999 (UTC) is refused', () => {
  assert.equal(iso('1900-01-01T00:00:00+00:01'), undefined);
  assert.equal(iso('1900-01-01T00:59:59+01:00'), undefined);
  assert.equal(iso('1900-01-01T01:00:00+01:00'), '1900-01-01T00:00:00.000Z');
  assert.equal(iso('9999-12-31T23:59:59-00:01'), undefined);
  assert.equal(iso('0050-01-01'), undefined);
  assert.equal(iso('yesterday'), undefined);
});
