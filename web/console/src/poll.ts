import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.ts';

export interface Polled<T> {
  data: T | undefined;
  /** The last failure's message (the data shown is then the last good one, if any). */
  error: string | undefined;
  /** Reads again now (after a change). */
  refresh(): void;
}

/**
 * Calls `load` now and every `everyMs` while the screen is shown. One call at a time: a slow
 * answer delays the next call instead of piling calls up.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: readonly unknown[] = []): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` is read through a ref; callers name what it depends on in `deps`
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await loadRef.current();
        if (stopped) return;
        setData(value);
        setError(undefined);
      } catch (e) {
        if (stopped) return;
        setError(e instanceof ApiError ? e.message : String(e));
      }
      if (!stopped) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [everyMs, tick, ...deps]);

  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, refresh };
}
