import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasAtMostTwoDecimals } from '@cinemaabyss/api';

test('amounts with at most two decimals, exactly, up to the largest numeric(12,2)', () => {
  for (const ok of [1, 9.99, 14.99, 0.01, 0.29, 0.3, 1.1, 123456789.12, 9999999999.99, 9999999999.9, 1e10]) {
    assert.ok(hasAtMostTwoDecimals(ok), String(ok));
  }
  for (const bad of [1.234, 0.001, 9.999, 1.005, 0.1 + 0.2, 1e-9, 5e-324, 9999999999.991, 0.015]) {
    assert.ok(!hasAtMostTwoDecimals(bad), String(bad));
  }
});

test('every cent from 0.01 to 100.00, and around the largest amounts, passes', () => {
  for (let cents = 1; cents <= 10_000; cents++) assert.ok(hasAtMostTwoDecimals(cents / 100), String(cents / 100));
  for (let cents = 999_999_999_000; cents <= 999_999_999_999; cents++) {
    assert.ok(hasAtMostTwoDecimals(cents / 100), String(cents / 100));
  }
});
