import Type, { type TString, type TStringOptions } from 'typebox';

// Every string a client sends must be stored and read back exactly by PostgreSQL text/varchar and
// jsonb (the outbox and the events read model), on PostgreSQL and PGlite. Both refuse U+0000, and a
// lone UTF-16 surrogate cannot be encoded as UTF-8 at all (drivers silently turn it into U+FFFD). The rule lives in the schema's
// `pattern`, so the OpenAPI document tells clients and fuzzers exactly what Ajv enforces.
//
// The patterns are written to mean the same in JavaScript with the `u` flag (Ajv: a valid surrogate
// pair is one astral code point, a lone surrogate is a code point of its own) and in Python's `re`
// (hypothesis generates from it) and in Rust (jsonschema-rs): only explicit \uXXXX classes, no \s,
// \S or \d, whose sets differ between them.

// A class cannot name a surrogate in Rust's regex engine (jsonschema-rs, which schemathesis
// validates with; its strings never hold one): so U+D800–U+DFFF go out as part of the range from
// their neighbours U+D7FF–U+E000, and the two neighbours come back as an alternative.
const OUTSIDE = '\\u0000\\uD7FF-\\uE000';
const NEIGHBOURS = '[\\uD7FF\\uE000]';
const STORABLE = `(?:[^${OUTSIDE}]|${NEIGHBOURS})`;

/** The union of what JavaScript's \s and Python's str.isspace() call whitespace. */
const WHITESPACE = '\\t\\n\\u000B\\f\\r\\u001C-\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';

// PGlite decodes each value it reads with a TextDecoder, which drops a leading U+FEFF as a byte
// order mark (many UTF-8 readers do): so text may hold U+FEFF anywhere but first.
const NO_LEADING_BOM = '(?!\\uFEFF)';

/** Any text without NUL or lone surrogates, not starting with U+FEFF. */
export const STORABLE_TEXT = `^${NO_LEADING_BOM}${STORABLE}*$`;

/**
 * Storable and not blank: leading whitespace, one visible character, then anything storable. The
 * classes are disjoint, so matching stays linear in the length (no backtracking).
 */
export const STORABLE_NON_BLANK_TEXT = `^${NO_LEADING_BOM}[${WHITESPACE}]*(?:[^${OUTSIDE}${WHITESPACE}]|${NEIGHBOURS})${STORABLE}*$`;

/** A string field of a request body: anything the database stores exactly. */
export const Text = (options: TStringOptions = {}): TString => Type.String({ ...options, pattern: STORABLE_TEXT });

/** A name-like field (username, title, genre, plan): storable and not only whitespace. */
export const Name = (options: TStringOptions = {}): TString => Type.String({ minLength: 1, ...options, pattern: STORABLE_NON_BLANK_TEXT });
