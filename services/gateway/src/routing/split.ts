// Percentage split between the monolith ("old") and the movies service ("new").

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit over UTF-16 code units, then murmur3's fmix32 so that `mod 100` sees well-mixed low bits. */
function hash32(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Stable bucket 0..99 for a key (e.g. a user id): a fast non-cryptographic hash (e.g. FNV-1a 32-bit or murmur3) of `${salt}:${key}` mod 100. The salt (route name) decorrelates routes. */
export function bucketOf(key: string, salt?: string): number {
  return hash32(`${salt ?? ''}:${key}`) % 100;
}

/** Treats NaN as 0 so a broken config fails towards the monolith. */
function clampPercent(percent: number): number {
  if (Number.isNaN(percent)) return 0;
  return Math.min(100, Math.max(0, percent));
}

/** Sticky decision: bucket < percent → the new backend. Raising percent only moves users old→new (monotonic), never back. */
export function stickyChoice(key: string, percent: number, salt?: string): { toNew: boolean; bucket: number } {
  const bucket = bucketOf(key, salt);
  return { toNew: bucket < clampPercent(percent), bucket };
}

/** Random per-request mode (the legacy behaviour): `random()` in [0,1). */
export function randomChoice(percent: number, random: () => number): { toNew: boolean } {
  const p = clampPercent(percent);
  // Short-circuit the ends so 0/100 are exact whatever the generator returns.
  if (p <= 0) return { toNew: false };
  if (p >= 100) return { toNew: true };
  return { toNew: random() * 100 < p };
}
