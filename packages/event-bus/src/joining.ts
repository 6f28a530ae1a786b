import type { Subscription } from './types.ts';

export interface Joining {
  /** The subscription, once joined. */
  current(): Subscription | undefined;
  /** Stops retrying and leaves the group if joined. */
  stop(): Promise<void>;
}

/**
 * Calls `join` (create topics, subscribe) until it succeeds, with backoff (250 ms doubling to
 * 10 s) while the broker is away, so a service starts, and reports not-ready, without a broker.
 */
export function keepJoining(
  join: () => Promise<Subscription>,
  options: { onJoined(subscription: Subscription): void; log: { warn(obj: object, msg: string): void }; what: string },
): Joining {
  let subscription: Subscription | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    try {
      const joined = await join();
      if (stopped) return void (await joined.stop());
      subscription = joined;
      options.onJoined(joined);
    } catch (error) {
      const delay = Math.min(250 * 2 ** attempt++, 10_000);
      options.log.warn({ err: error, retryInMs: delay }, `cannot ${options.what} yet (broker unavailable?)`);
      if (!stopped) timer = setTimeout(connect, delay);
    }
  };
  void connect();
  return {
    current: () => subscription,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await subscription?.stop();
    },
  };
}
