import { ALL_TOPICS, deadLetterTopic, type EventBus, type Subscription } from '@cinemaabyss/event-bus';
import type { Logger } from '@cinemaabyss/logging';
import type { Processor } from './processor.ts';

/** The events and, so that the service can list and replay them, their dead letters. */
export const CONSUMED_TOPICS = [...ALL_TOPICS, ...ALL_TOPICS.map(deadLetterTopic)];

export interface Consumer {
  /** True once topics exist and the group's consumer is running. */
  running(): boolean;
  stop(): Promise<void>;
}

/**
 * Creates the topics and joins the consumer group, retrying with backoff while the broker is
 * down, so the service starts (and reports not-ready) without a broker.
 */
export function startConsumer(bus: EventBus, groupId: string, processor: Processor, logger: Logger): Consumer {
  let subscription: Subscription | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    try {
      await bus.ensureTopics(CONSUMED_TOPICS);
      const joined = await bus.subscribe({
        groupId,
        topics: CONSUMED_TOPICS,
        fromBeginning: true,
        handler: processor.handle,
        handleBatch: processor.handleBatch,
        policy: processor.policy,
        observer: processor.monitor.observer,
      });
      if (stopped) return void (await joined.stop());
      subscription = joined;
      processor.monitor.watch(() => joined.status());
      logger.info({ groupId, topics: CONSUMED_TOPICS }, 'consuming events');
    } catch (error) {
      const delay = Math.min(250 * 2 ** attempt++, 10_000);
      logger.warn({ err: error, retryInMs: delay }, 'cannot consume yet (broker unavailable?)');
      if (!stopped) timer = setTimeout(connect, delay);
    }
  };
  void connect();

  return {
    running: () => subscription !== undefined,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      processor.monitor.watch(undefined);
      await subscription?.stop();
    },
  };
}
