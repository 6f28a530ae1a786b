import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasAtMostTwoDecimals } from '@cinemaabyss/api';

test('amounts with at most two decimals', () => {
  for (const ok of [1, 9.99, 14.99, 0.01, 0.1 + 0.2, 123456789.12]) assert.ok(hasAtMostTwoDecimals(ok), String(ok));
  for (const bad of [1.234, 0.001, 9.999]) assert.ok(!hasAtMostTwoDecimals(bad), String(bad));
});
