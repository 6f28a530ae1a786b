// What one replica knows of its shadow comparisons: counts per route and endpoint, the noise
// learned per endpoint, and the latest mismatches (a ring; the store keeps every replica's).
import type { Counter } from 'prom-client';
import type { EndpointShadowStats, Mismatch } from '../control/ports.ts';
import { compilePatterns, type Patterns } from './compare.ts';

export type ShadowResult = 'matched' | 'mismatched' | 'noise' | 'dropped' | 'error' | 'too_large';

/** Called once per shadowed request with its outcome (the analysis counts these per window). */
export type ResultListener = (route: string, result: ShadowResult, endpoint: string) => void;

/** Latest mismatches kept per route in memory. */
export const RING_SIZE = 50;
/** Endpoints tracked per route: paths carry ids, so beyond this they share one "other" entry per method. */
export const MAX_ENDPOINTS = 200;
/** Noisy pointers learned per endpoint (the oldest is forgotten first). */
export const MAX_NOISY = 100;

const FIELDS = { matched: 'matched', mismatched: 'mismatched', noise: 'noise', dropped: 'dropped', error: 'errors', too_large: 'tooLarge' } as const;

interface Entry {
  counts: { matched: number; mismatched: number; noise: number; dropped: number; errors: number; tooLarge: number };
  noisy: Set<string>;
  /** `noisy` compiled, rebuilt when it grows. */
  patterns: Patterns;
}

interface RouteStats {
  endpoints: Map<string, Entry>;
  ring: Mismatch[];
}

/** Method, path and the sorted names of the query parameters (their values dropped). */
export function endpointOf(method: string, target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return `${method} ${target}`;
  const names = [...new Set([...new URLSearchParams(target.slice(q + 1)).keys()])].sort();
  return `${method} ${target.slice(0, q)}${names.length ? `?${names.join('&')}` : ''}`;
}

export class ShadowStats {
  readonly #routes = new Map<string, RouteStats>();
  readonly #listeners: ResultListener[] = [];
  readonly #counter: Counter<'route' | 'result'> | undefined;

  constructor(counter?: Counter<'route' | 'result'>) {
    this.#counter = counter;
  }

  /** Registers a listener for every outcome (helper "analysis": shadow counts per window). */
  onResult(listener: ResultListener): void {
    this.#listeners.push(listener);
  }

  record(route: string, endpoint: string, result: ShadowResult): void {
    this.#entry(route, endpoint).counts[FIELDS[result]]++;
    this.#counter?.inc({ route, result });
    for (const listener of this.#listeners) listener(route, result, endpoint);
  }

  /** Pointers where the serving backend differed from itself on this endpoint. */
  noisy(route: string, endpoint: string): Patterns {
    return this.#entry(route, endpoint).patterns;
  }

  learn(route: string, endpoint: string, pointers: readonly string[]): void {
    const entry = this.#entry(route, endpoint);
    const before = entry.noisy.size;
    for (const pointer of pointers) {
      entry.noisy.delete(pointer); // re-learned: the newest again
      entry.noisy.add(pointer);
      if (entry.noisy.size > MAX_NOISY) entry.noisy.delete(entry.noisy.values().next().value!);
    }
    if (pointers.length > 0 || entry.noisy.size !== before) entry.patterns = compilePatterns([...entry.noisy]);
  }

  mismatch(m: Mismatch): void {
    const ring = this.#route(m.route).ring;
    ring.push(m);
    if (ring.length > RING_SIZE) ring.shift();
  }

  /** Newest first. */
  recent(route: string): Mismatch[] {
    return [...(this.#routes.get(route)?.ring ?? [])].reverse();
  }

  endpoints(route: string): EndpointShadowStats[] {
    const out: EndpointShadowStats[] = [];
    for (const [endpoint, { counts, noisy }] of this.#routes.get(route)?.endpoints ?? []) {
      out.push({ endpoint, compared: counts.matched + counts.mismatched + counts.noise, ...counts, noisy: [...noisy] });
    }
    return out.sort((a, b) => b.compared - a.compared || a.endpoint.localeCompare(b.endpoint));
  }

  #route(route: string): RouteStats {
    let stats = this.#routes.get(route);
    if (!stats) this.#routes.set(route, (stats = { endpoints: new Map(), ring: [] }));
    return stats;
  }

  #entry(route: string, endpoint: string): Entry {
    const endpoints = this.#route(route).endpoints;
    let entry = endpoints.get(endpoint);
    if (entry) return entry;
    const key = endpoints.size < MAX_ENDPOINTS ? endpoint : `${endpoint.slice(0, endpoint.indexOf(' '))} (other)`;
    entry = endpoints.get(key);
    if (!entry) {
      entry = { counts: { matched: 0, mismatched: 0, noise: 0, dropped: 0, errors: 0, tooLarge: 0 }, noisy: new Set(), patterns: [] };
      endpoints.set(key, entry);
    }
    return entry;
  }
}
