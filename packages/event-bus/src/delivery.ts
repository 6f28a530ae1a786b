import { setTimeout as sleep } from 'node:timers/promises';
import { isUnavailable } from '@cinemaabyss/db';
import { describeError, isDeadLetterTopic, toDeadLetter } from './dead-letter.ts';
import { processTraced } from './tracing.ts';
import {
  BusUnavailableError,
  PoisonRecordError,
  type BusMessage,
  type DeliveryPolicy,
  type EventBus,
  type OutgoingMessage,
  type PartitionStatus,
  type SubscribeOptions,
} from './types.ts';

export const defaultDeliveryPolicy: DeliveryPolicy = { maxBatch: 500, maxAttempts: 5, retryBaseMs: 100, retryMaxMs: 30_000, stuckAfterMs: 30_000 };

/** A dependency is down (worth waiting for), as opposed to a record that cannot be processed. */
export const isTransient = (error: unknown) => error instanceof BusUnavailableError || isUnavailable(error);

/** Exponential backoff with "equal jitter": half of each step fixed, half random, so consumers retrying together spread out. */
export function backoffMs(attempt: number, policy: DeliveryPolicy): number {
  const step = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  return step / 2 + (Math.random() * step) / 2;
}

type Outcome = { done: true } | { done: false; error: unknown; attempts: number } | undefined;
type PartitionState = Omit<PartitionStatus, 'lag' | 'stuck'>;

/**
 * What both adapters do with a fetched batch of one partition: run the handlers, retry transient
 * failures without limit, dead-letter a record after `maxAttempts` permanent failures, and keep
 * each partition's position, end and retry state for status(). The adapter fetches, commits what
 * deliver() reports done, and sends dead letters through `send`.
 */
export class Delivery {
  readonly policy: DeliveryPolicy;
  readonly #options: SubscribeOptions;
  readonly #send: (message: OutgoingMessage) => Promise<unknown>;
  readonly #system: EventBus['kind'];
  readonly #stopping = new AbortController();
  readonly #partitions = new Map<string, PartitionState>();

  constructor(options: SubscribeOptions, send: (message: OutgoingMessage) => Promise<unknown>, system: EventBus['kind']) {
    this.#options = options;
    this.#send = send;
    this.#system = system;
    this.policy = { ...defaultDeliveryPolicy, ...options.policy };
  }

  get running(): boolean {
    return !this.#stopping.signal.aborted;
  }

  /** Interrupts any backoff in progress; deliver() then returns what is done so far. */
  stop(): void {
    this.#stopping.abort();
  }

  /** Waits `ms` unless stopped first; false when stopped. */
  async pause(ms: number): Promise<boolean> {
    if (!this.running) return false;
    return sleep(ms, true, { signal: this.#stopping.signal }).catch(() => false);
  }

  #partition(topic: string, partition: number): PartitionState {
    const key = `${topic}:${partition}`;
    let state = this.#partitions.get(key);
    if (!state) this.#partitions.set(key, (state = { topic, partition }));
    return state;
  }

  /** The adapter learnt where a partition is (its committed position) or ends. */
  track(topic: string, partition: number, at: { position?: number; end?: number }): void {
    Object.assign(this.#partition(topic, partition), at);
  }

  /** The adapter went past the failure it reported with unavailable() on this partition. */
  recovered(topic: string, partition: number): void {
    delete this.#partition(topic, partition).retrying;
  }

  status(): PartitionStatus[] {
    const now = Date.now();
    return [...this.#partitions.values()]
      .map((s) => ({
        ...s,
        ...(s.position !== undefined && s.end !== undefined ? { lag: Math.max(0, s.end - s.position) } : {}),
        stuck: s.retrying !== undefined && now - s.retrying.since.getTime() > this.policy.stuckAfterMs,
      }))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /**
   * Reports a failure to reach the bus or the database outside a handler (joining, fetching,
   * committing) and backs off; false when stopped. `at` is the partition it happened on, if any.
   */
  async unavailable(attempt: number, error: unknown, at?: { topic: string; partition: number; offset: number }): Promise<boolean> {
    const delayMs = backoffMs(attempt, this.policy);
    if (at) this.#retrying(this.#partition(at.topic, at.partition), at, attempt, true, error, delayMs);
    else this.#options.observer?.retrying?.({ attempt, transient: true, error, delayMs });
    return this.pause(delayMs);
  }

  /**
   * Processes one partition's batch, in order. Returns how many leading records are done (processed
   * or dead-lettered): the adapter commits up to there. Less than the batch only when stopping.
   */
  async deliver(batch: BusMessage[]): Promise<number> {
    const first = batch[0];
    if (!first) return 0;
    const state = this.#partition(first.topic, first.partition);
    const { handler, handleBatch } = this.#options;
    if (handleBatch && batch.length > 1) {
      // A permanent failure of the batch is isolated record by record below.
      const outcome = await this.#attempt(state, first, () => processTraced(this.#system, batch, () => handleBatch(batch)), 1);
      if (!outcome) return 0;
      if (outcome.done) {
        state.position = batch.at(-1)!.offset + 1;
        return batch.length;
      }
    }
    const limit = isDeadLetterTopic(first.topic) ? Infinity : this.policy.maxAttempts;
    for (const [i, message] of batch.entries()) {
      const outcome = await this.#attempt(state, message, () => processTraced(this.#system, [message], () => handler(message)), limit);
      if (!outcome) return i;
      if (!outcome.done && !(await this.#deadLetter(state, message, outcome.error, outcome.attempts))) return i;
      state.position = message.offset + 1;
    }
    return batch.length;
  }

  /** Runs `work` until it succeeds, fails permanently `limit` times, or the consumer stops (undefined). */
  async #attempt(state: PartitionState, message: BusMessage, work: () => Promise<void>, limit: number): Promise<Outcome> {
    let permanent = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        delete state.retrying;
        return { done: true };
      } catch (error) {
        const transient = isTransient(error);
        if (!transient) permanent++;
        if (!transient && limit !== Infinity && (permanent >= limit || error instanceof PoisonRecordError)) {
          return { done: false, error, attempts: attempt };
        }
        const delayMs = backoffMs(transient ? attempt : permanent, this.policy);
        this.#retrying(state, message, attempt, transient, error, delayMs);
        if (!(await this.pause(delayMs))) return undefined;
      }
    }
  }

  async #deadLetter(state: PartitionState, message: BusMessage, error: unknown, attempts: number): Promise<boolean> {
    const record = toDeadLetter(message, error, attempts);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#send(record);
        delete state.retrying;
        this.#options.observer?.deadLettered?.({ topic: message.topic, partition: message.partition, offset: message.offset, attempts, error });
        return true;
      } catch (sendError) {
        // The record stays uncommitted until its dead letter is stored: nothing is lost while the bus is down.
        const delayMs = backoffMs(attempt, this.policy);
        this.#retrying(state, message, attempts + attempt, true, sendError, delayMs);
        if (!(await this.pause(delayMs))) return false;
      }
    }
  }

  #retrying(
    state: PartitionState,
    at: { topic: string; partition: number; offset: number },
    attempt: number,
    transient: boolean,
    error: unknown,
    delayMs: number,
  ): void {
    const since = state.retrying?.offset === at.offset ? state.retrying.since : new Date();
    state.retrying = { offset: at.offset, attempts: attempt, since, transient, error: describeError(error) };
    this.#options.observer?.retrying?.({ topic: at.topic, partition: at.partition, offset: at.offset, attempt, transient, error, delayMs });
  }
}
