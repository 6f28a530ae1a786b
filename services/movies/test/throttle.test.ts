import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backfillThrottle } from '../src/data/throttle.ts';

// The backfill throttle's control law, fed made-up batch read latencies (no clock involved).
describe("backfill throttle (AIMD on the monolith's read latency)", () => {
  const settings = { maxRowsPerSecond: 8000, slowdownRatio: 2 };
  const feed = (throttle: ReturnType<typeof backfillThrottle>, latencies: number[]) => latencies.map((ms) => throttle.observe(ms));
  /** Every rate after feeding `latencies` to a fresh throttle is the cap. */
  const staysAtCap = (latencies: number[]) => {
    const rates = feed(backfillThrottle(settings), latencies);
    assert.ok(
      rates.every((rate) => rate === settings.maxRowsPerSecond),
      rates.join(),
    );
  };

  test('stays at the cap while reads keep their speed, noise included', () => staysAtCap([10, 12, 9, 11, 14, 10, 9, 13, 10, 11]));

  test('lone slow reads (a cold first read, a pause) are not taken for load', () => staysAtCap([200, 10, 10, 10, 35, 10, 10, 90, 10, 10]));

  test('halves while reads stay slow, holding between halvings, down to a floor of 1/16 of the cap', () => {
    const throttle = backfillThrottle(settings);
    feed(throttle, [10, 10, 10]);
    const rates = feed(throttle, Array(40).fill(50));
    // The median of the last five reads turns slow at the third slow read.
    assert.deepEqual(rates.slice(0, 2), [8000, 8000]);
    assert.equal(rates[2], 4000);
    assert.deepEqual(rates.slice(3, 8), Array(5).fill(4000), 'held for a window of five reads');
    assert.equal(rates[8], 2000);
    assert.equal(rates.at(-1), 500, 'the floor: 8000 / 16');
    assert.ok(rates.every((rate) => rate >= 500));
  });

  test('creeps back up by 5 % of the cap per batch once reads are fast again', () => {
    const throttle = backfillThrottle(settings);
    feed(throttle, [10, ...Array(20).fill(50)]);
    assert.equal(throttle.rowsPerSecond, 500);
    const rates = feed(throttle, Array(40).fill(10));
    // Once the median is fast again, each read adds 400 rows/s.
    const rising = rates.filter((rate, i) => i > 0 && rate > rates[i - 1]!);
    assert.ok(rising.length >= 18, `${rates.join()}`);
    for (let i = 1; i < rates.length; i++) assert.ok(rates[i]! - rates[i - 1]! <= 400, 'additive steps only');
    assert.equal(rates.at(-1), 8000, 'back at the cap');
  });

  test('relearns a baseline that rose for good, so a lasting change is not taken for load forever', () => {
    const throttle = backfillThrottle(settings);
    feed(throttle, [10, 10]);
    // Reads now take 30 ms for good (e.g. a bigger database): it backs off, then the baseline drifts up.
    const rates = feed(throttle, Array(400).fill(30));
    assert.ok(Math.min(...rates) < 8000, 'backed off at first');
    assert.equal(rates.at(-1), 8000, 'back at the cap once 30 ms is the norm');
  });
});
