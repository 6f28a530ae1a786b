/** Drizzle wraps driver errors (and their SQL) in DrizzleQueryError; the driver error is its cause. */
function driverError(error: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate as { code: string };
    current = candidate.cause;
  }
  return undefined;
}

/** A unique constraint was violated; returns the constraint's name. */
export function uniqueViolation(error: unknown): string | undefined {
  const e = driverError(error);
  return e?.code === '23505' ? (e.constraint ?? 'unique') : undefined;
}

/** SQLSTATE of the trigger that freezes the monolith's movie tables once they are retired (movie-copy.ts). */
export const RETIRED_SQLSTATE = '55000';

/** A write hit the retired (frozen) movie tables of the monolith: phase 6 of the data migration. */
export function moviesRetired(error: unknown): boolean {
  const e = driverError(error);
  return e?.code === RETIRED_SQLSTATE && /retired/.test(e.message ?? '');
}

/** A foreign key pointed at a row that does not exist. */
export function foreignKeyViolation(error: unknown): string | undefined {
  const e = driverError(error);
  return e?.code === '23503' ? (e.constraint ?? 'foreign_key') : undefined;
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03']);

/** The database cannot be reached right now (answer 503, not 500). */
export function isUnavailable(error: unknown): boolean {
  const e = driverError(error);
  if (e?.code && (unavailableCodes.has(e.code) || e.code.startsWith('08'))) return true;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (
      /timeout exceeded when trying to connect|Connection terminated|database is closed|PGlite is closed|after calling end on the pool/i.test(current.message)
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}
