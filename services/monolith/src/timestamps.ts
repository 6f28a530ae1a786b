import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * A timestamptz column read as the API writes it (`Date#toISOString()`), whatever the row holds.
 * Drizzle would hand PostgreSQL's text form (`0050-01-01 00:00:00+00`) to `new Date()`, which
 * parses it by V8's legacy rules: years below 100 came back as 19xx or shuffled, BC dates as an
 * invalid date whose serialisation threw, and one such row broke every list. The epoch in
 * milliseconds is an exact integer on every driver instead. Only ±infinity and instants past
 * JavaScript's last date (year 275760) have no ISO form: those come as PostgreSQL writes them.
 */
export const isoTimestamp = (column: PgColumn): SQL<string> =>
  sql`case when isfinite(${column}) and ${column} < '275760-09-13T00:00:00Z'
    then floor(extract(epoch from ${column}) * 1000)::text else ${column}::text end`.mapWith(fromEpochMs);

const fromEpochMs = (text: string): string => (/^-?[0-9]+$/.test(text) ? new Date(Number(text)).toISOString() : text);
