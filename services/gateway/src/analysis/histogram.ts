// Latency histogram with fixed log-spaced buckets: every replica counts into the same buckets, so
// the elected replica can add them up and read a p99 from the sum. Each bucket is 25 % wider than
// the previous one, so a p99 (and a ratio of two) is known within 25 %, enough to compare backends.

const FIRST_MS = 0.1;
const GROWTH = 1.25;
/** 0.1 ms … about 100 s; the last bucket also takes everything slower. */
export const BUCKETS = 64;
const LOG_GROWTH = Math.log(GROWTH);

/** Upper bound (ms) of bucket `i`. */
export const bucketBound = (i: number): number => FIRST_MS * GROWTH ** (i + 1);

/** The bucket of a latency in seconds: O(1), no allocation. */
export function latencyBucket(seconds: number): number {
  const ms = seconds * 1000;
  if (!(ms > FIRST_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(ms / FIRST_MS) / LOG_GROWTH));
}

/** The p99 (ms, a bucket's upper bound) of counts per bucket; null without any sample. */
export function p99(buckets: ArrayLike<number>): number | null {
  let total = 0;
  for (let i = 0; i < buckets.length; i++) total += buckets[i]!;
  if (total === 0) return null;
  const rank = Math.ceil(total * 0.99);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return bucketBound(i);
  }
  return bucketBound(buckets.length - 1);
}

/** Adds `from` into `into` bucket by bucket (rows of several replicas). */
export function addBuckets(into: number[], from: ArrayLike<number>): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i]!;
}
