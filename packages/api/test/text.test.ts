import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STORABLE_NON_BLANK_TEXT, STORABLE_TEXT } from '@cinemaabyss/api';

// Ajv compiles `pattern` with the `u` flag: a valid surrogate pair is one code point.
const storable = new RegExp(STORABLE_TEXT, 'u');
const nonBlank = new RegExp(STORABLE_NON_BLANK_TEXT, 'u');

test('storable text: everything but NUL, lone surrogates and a leading U+FEFF', () => {
  for (const ok of ['', 'a', 'Amélie', '\u{1F600}', '\uD83D\uDE00', '\u0001\u007F\uFFFE\uFFFF', '\u{10FFFF}', ' ', 'a\nb']) {
    assert.ok(storable.test(ok), JSON.stringify(ok));
  }
  assert.ok(storable.test('a\uFEFF'), 'U+FEFF after the start');
  for (const bad of ['\u0000', 'a\u0000', '\u0000b', '\uD800', 'a\uDBFF', '\uDC00b', '\uDFFF', '\uDE00\uD83D', 'x\uD83D', '\uFEFFa']) {
    assert.ok(!storable.test(bad), JSON.stringify(bad));
  }
});

test("non-blank text: storable and not only whitespace (JavaScript's and Python's alike)", () => {
  for (const ok of ['a', ' a ', '\u3000x\u3000', '\u{1F600}', '\u200B', '_', '\u00AD']) assert.ok(nonBlank.test(ok), JSON.stringify(ok));
  const blank = [
    '',
    ' ',
    '\t\n\u000B\f\r',
    '\u001C\u001D\u001E\u001F',
    '\u0085',
    '\u00A0',
    '\u1680',
    '\u2000\u200A',
    '\u2028\u2029',
    '\u202F\u205F\u3000\uFEFF',
  ];
  for (const bad of [...blank, 'a\u0000', ' \uD800', '\u0000', '\uFEFFa']) assert.ok(!nonBlank.test(bad), JSON.stringify(bad));
  // Every character JavaScript calls whitespace is blank here too.
  for (let c = 0; c <= 0xffff; c++) {
    const s = String.fromCharCode(c);
    if (/^\s$/u.test(s)) assert.ok(!nonBlank.test(s), `U+${c.toString(16)}`);
  }
});
