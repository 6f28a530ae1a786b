// Bearer tokens of the admin API: `label:role:token` entries given at start-up (GATEWAY_ADMIN_TOKENS).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ROLES = ['viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface AdminToken {
  label: string;
  role: Role;
  /** SHA-256 of the token: what requests are compared against (the token itself is not kept). */
  digest: Buffer;
}

export const MIN_TOKEN_LENGTH = 24;
const LABEL = /^[A-Za-z0-9._-]{1,64}$/;
// Printable ASCII without ',' and ':' (the separators) or spaces: what fits in an Authorization header.
const TOKEN = /^[!-+\--9;-~]+$/;

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** Every problem of a GATEWAY_ADMIN_TOKENS value, or the tokens it names. */
export function parseAdminTokens(raw: string | undefined): { tokens: AdminToken[]; problems: string[] } {
  const tokens: AdminToken[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw.trim() === '') return { tokens, problems };
  const labels = new Set<string>();
  const secrets = new Set<string>();
  for (const [i, entry] of raw.split(',').entries()) {
    const at = `GATEWAY_ADMIN_TOKENS: entry ${i + 1}`;
    const parts = entry.trim().split(':');
    if (parts.length !== 3) {
      problems.push(`${at} must be label:role:token`);
      continue;
    }
    const [label, role, token] = parts as [string, string, string];
    // Never echo the token: configuration errors are logged.
    if (!LABEL.test(label)) problems.push(`${at} label must be 1-64 letters, digits, '.', '_' or '-'`);
    else if (labels.has(label)) problems.push(`${at} repeats the label '${label}'`);
    if (!(ROLES as readonly string[]).includes(role)) problems.push(`${at} role must be one of ${ROLES.join(', ')}`);
    if (token.length < MIN_TOKEN_LENGTH) problems.push(`${at} token must be at least ${MIN_TOKEN_LENGTH} characters`);
    else if (!TOKEN.test(token)) problems.push(`${at} token must be printable ASCII without spaces, ':' or ','`);
    else if (secrets.has(token)) problems.push(`${at} repeats another entry's token`);
    labels.add(label);
    secrets.add(token);
    tokens.push({ label, role: role as Role, digest: digest(token) });
  }
  return problems.length > 0 ? { tokens: [], problems } : { tokens, problems };
}

/**
 * The token an `Authorization: Bearer …` header names, or undefined. Both sides are hashed to equal
 * length and every token is compared, without an early exit, so the time taken tells nothing of
 * which token (or how much of one) matched.
 */
export function authenticate(tokens: readonly AdminToken[], authorization: string | undefined): AdminToken | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const presented = digest(match?.[1] ?? '');
  let found: AdminToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(token.digest, presented) && match) found = token;
  }
  return found;
}

/** Embedded mode's operator token when none is configured: random, made at start-up, printed once. */
export function generatedOperatorToken(label = 'local'): { raw: string; token: string } {
  const token = randomBytes(24).toString('base64url');
  return { raw: `${label}:operator:${token}`, token };
}
