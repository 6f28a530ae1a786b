// Signed override header: lets an operator force a backend for testing in production.
import { createHmac, timingSafeEqual } from 'node:crypto';

// Upper bound before any parsing or hashing, so garbage costs nothing.
const MAX_VALUE_LENGTH = 256;
const SIG_HEX = /^[0-9a-f]{64}$/;
const EXPIRY = /^[0-9]{1,12}$/;

function mac(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** Throws on an empty secret or a non-integer expiry: minting a token that can never verify is a bug. */
export function signOverride(backend: string, expiresAtSec: number, secret: string): string {
  if (secret === '') throw new RangeError('override secret must be non-empty');
  if (!Number.isSafeInteger(expiresAtSec) || expiresAtSec < 0) throw new RangeError('expiresAtSec must be a non-negative integer');
  const payload = `${backend}.${expiresAtSec}`;
  return `${payload}.${mac(payload, secret).toString('hex')}`;
}

/**
 * Returns the backend name only when the signature is valid (constant-time compare:
 * crypto.timingSafeEqual), the token is neither expired nor expiring more than `maxTtlMs` after
 * `nowMs` (a leaked token must not work for years), the backend is in `allowed`, and the secret is
 * non-empty; otherwise undefined. Never throws on garbage input.
 */
export function verifyOverride(
  value: string | undefined,
  secret: string | undefined,
  allowed: readonly string[],
  nowMs: number,
  maxTtlMs: number,
): string | undefined {
  if (typeof value !== 'string' || typeof secret !== 'string' || secret === '') return undefined;
  if (value.length > MAX_VALUE_LENGTH) return undefined;
  // Split from the right so the signature and expiry are unambiguous.
  const sigDot = value.lastIndexOf('.');
  if (sigDot <= 0) return undefined;
  const expDot = value.lastIndexOf('.', sigDot - 1);
  if (expDot <= 0) return undefined;
  const backend = value.slice(0, expDot);
  const expiry = value.slice(expDot + 1, sigDot);
  const sig = value.slice(sigDot + 1);
  if (!EXPIRY.test(expiry) || !SIG_HEX.test(sig)) return undefined;
  if (!allowed.includes(backend)) return undefined;
  const expected = mac(value.slice(0, sigDot), secret);
  const given = Buffer.from(sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const expiresAtMs = Number(expiry) * 1000;
  if (!(expiresAtMs > nowMs && expiresAtMs - nowMs <= maxTtlMs)) return undefined;
  return backend;
}
