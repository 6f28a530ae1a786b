import { ALL_TOPICS } from '@cinemaabyss/api';
import { deadLetterTopic, keepJoining, type EventBus } from '@cinemaabyss/event-bus';
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
  const joining = keepJoining(
    async () => {
      await bus.ensureTopics(CONSUMED_TOPICS);
      return bus.subscribe({
        groupId,
        topics: CONSUMED_TOPICS,
        fromBeginning: true,
        handler: processor.handle,
        handleBatch: processor.handleBatch,
        policy: processor.policy,
        observer: processor.monitor.observer,
      });
    },
    {
      onJoined: (joined) => {
        processor.monitor.watch(() => joined.status());
        logger.info({ groupId, topics: CONSUMED_TOPICS }, 'consuming events');
      },
      log: logger,
      what: 'consume',
    },
  );
  return {
    running: () => joining.current() !== undefined,
    async stop() {
      processor.monitor.watch(undefined);
      await joining.stop();
    },
  };
}
