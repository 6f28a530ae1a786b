// Comparison of two answers to the same request (pure): status, then the body — JSON normalised
// by the route's rules, anything else byte for byte — and a readable diff of RFC 6901 pointers.
import { isDeepStrictEqual } from 'node:util';

export interface CompareRules {
  /** Pointers left out; '*' matches any key or index. */
  ignore: readonly string[];
  /** Pointers of arrays compared as multisets. */
  sets: readonly string[];
  /** Absolute difference under which two numbers are equal. */
  tolerance: number;
}

export interface Difference {
  pointer: string;
  old: unknown;
  new: unknown;
}

/** One complete answer as it was read. */
export interface Answer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** Entries kept per diff, and characters kept per value: a diff is read by a person. */
export const MAX_DIFFERENCES = 20;
const MAX_VALUE_CHARS = 200;

const escapeToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');
const unescapeToken = (token: string) => token.replaceAll('~1', '/').replaceAll('~0', '~');

export const pointerOf = (path: readonly string[]) => path.map((t) => `/${escapeToken(t)}`).join('');

/** A pointer's tokens ('' is the whole document). */
export const tokensOf = (pointer: string): string[] => (pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken));

/** Compiled patterns: token lists where '*' matches any one token. */
export type Patterns = readonly (readonly string[])[];
export const compilePatterns = (pointers: readonly string[]): Patterns => pointers.map(tokensOf);

export function matches(patterns: Patterns, path: readonly string[]): boolean {
  return patterns.some((p) => p.length === path.length && p.every((token, i) => token === '*' || token === path[i]));
}

interface Compiled {
  ignore: Patterns;
  sets: Patterns;
  tolerance: number;
}

export const compileRules = (rules: CompareRules): Compiled => ({
  ignore: compilePatterns(rules.ignore),
  sets: compilePatterns(rules.sets),
  tolerance: rules.tolerance,
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with sorted keys: the order multiset elements are sorted by. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const IGNORED = Symbol('ignored');

/** The document with ignored pointers removed and set-arrays in a canonical order. */
export function normalise(value: unknown, rules: Compiled, path: string[] = []): unknown {
  if (path.length > 0 && matches(rules.ignore, path)) return IGNORED;
  if (Array.isArray(value)) {
    const items = value.map((item, i) => normalise(item, rules, [...path, String(i)])).filter((item) => item !== IGNORED);
    return matches(rules.sets, path) ? items.sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0)) : items;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const kept = normalise(item, rules, [...path, key]);
      if (kept !== IGNORED) out[key] = kept;
    }
    return out;
  }
  return value;
}

/** A value as a person reads it in a diff: long strings and large objects are cut. */
export function readable(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  if (typeof value === 'object' && value !== null) {
    const text = JSON.stringify(value);
    return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : value;
  }
  return value;
}

function walk(a: unknown, b: unknown, path: string[], tolerance: number, out: Difference[]): void {
  if (out.length >= MAX_DIFFERENCES) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) > tolerance) out.push({ pointer: pointerOf(path), old: a, new: b });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      walk(i < a.length ? a[i] : undefined, i < b.length ? b[i] : undefined, [...path, String(i)], tolerance, out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(a[key], b[key], [...path, key], tolerance, out);
    return;
  }
  if (!isDeepStrictEqual(a, b)) out.push({ pointer: pointerOf(path), old: readable(a), new: readable(b) });
}

/** The differences between two JSON documents after normalisation (at most MAX_DIFFERENCES). */
export function diffJson(a: unknown, b: unknown, rules: CompareRules): Difference[] {
  const compiled = compileRules(rules);
  const out: Difference[] = [];
  walk(normalise(a, compiled), normalise(b, compiled), [], rules.tolerance, out);
  return out;
}

const isJsonType = (type: string | undefined) => type !== undefined && /^application\/(?:[\w.+-]*\+)?json\b/i.test(type.trim());

function parseJson(answer: Answer): { ok: true; value: unknown } | { ok: false } {
  if (!isJsonType(answer.contentType) || answer.body.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(answer.body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** A body that is not compared as JSON, as a diff shows it. */
function preview(body: Buffer): string {
  const text = body.toString('utf8');
  return text.includes('\uFFFD') ? `<${body.length} bytes>` : (readable(text) as string);
}

/** The differences between two bodies: JSON when both are JSON, else byte-wise (one entry at pointer ''). */
export function diffBodies(a: Answer, b: Answer, rules: CompareRules): Difference[] {
  if (a.body.equals(b.body)) return []; // the usual case once a service is right, and the cheapest
  const ja = parseJson(a);
  const jb = parseJson(b);
  if (ja.ok && jb.ok) return diffJson(ja.value, jb.value, rules);
  return a.body.equals(b.body) ? [] : [{ pointer: '', old: preview(a.body), new: preview(b.body) }];
}

export type Verdict = 'matched' | 'mismatched' | 'noise';

/** matched: same status and no difference; noise: differences only where the serving backend differs from itself. */
export function verdictOf(statusEqual: boolean, diff: readonly Difference[], noisy: Patterns): Verdict {
  if (!statusEqual) return 'mismatched';
  if (diff.length === 0) return 'matched';
  return diff.every((d) => matches(noisy, tokensOf(d.pointer))) ? 'noise' : 'mismatched';
}

/** The comparison of the serving backend's answer (old) with the shadow's (new). */
export function compareAnswers(primary: Answer, shadow: Answer, rules: CompareRules, noisy: Patterns): { verdict: Verdict; diff: Difference[] } {
  const diff = diffBodies(primary, shadow, rules);
  return { verdict: verdictOf(primary.status === shadow.status, diff, noisy), diff };
}
