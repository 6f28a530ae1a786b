/** A record on the bus, as consumers see it. */
export interface BusMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: Date;
}

export interface OutgoingMessage {
  topic: string;
  /** Same key, same partition: one entity's events stay in order. */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** Where the bus stored a message, known only once it is durably acknowledged. */
export interface SendResult {
  topic: string;
  partition: number;
  offset: number;
}

export type MessageHandler = (message: BusMessage) => Promise<void>;
/** Consecutive records of one partition, in offset order. */
export type BatchHandler = (messages: BusMessage[]) => Promise<void>;

/** How a consumer hands records to its handlers and treats failures (both adapters alike: delivery.ts). */
export interface DeliveryPolicy {
  /** Most records of one partition given to `handleBatch` at once (1: record by record). */
  maxBatch: number;
  /** Permanent failures of one record before it is dead-lettered to `<topic>.dlq`. */
  maxAttempts: number;
  /** Exponential backoff with jitter between attempts: the first step, and the cap. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A partition retrying one record for longer than this is reported stuck. */
  stuckAfterMs: number;
}

/**
 * Something could not be processed yet; `transient` is a dependency outage, else the record itself.
 * Topic, partition and offset are absent when no record is concerned (joining the group).
 */
export interface RetryEvent {
  topic?: string;
  partition?: number;
  offset?: number;
  attempt: number;
  transient: boolean;
  error: unknown;
  delayMs: number;
}

export interface DeadLetterEvent {
  topic: string;
  partition: number;
  offset: number;
  attempts: number;
  error: unknown;
}

/** Hooks for logs and metrics: the bus itself neither logs nor counts. */
export interface DeliveryObserver {
  retrying?(event: RetryEvent): void;
  deadLettered?(event: DeadLetterEvent): void;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /**
   * Called once per message, in order within a partition. The offset is committed only after it
   * resolves (at-least-once). A transient failure (BusUnavailableError, database unavailable) is
   * retried without limit; any other failure up to `policy.maxAttempts` times, then the record is
   * dead-lettered to `<topic>.dlq` (records of `.dlq` topics are retried without limit instead).
   */
  handler: MessageHandler;
  /**
   * Optional: a whole fetched batch of one partition at once (e.g. in one database transaction),
   * committed after it resolves. A transient failure retries the batch; a permanent one falls back
   * to `handler`, record by record, which isolates the bad record.
   */
  handleBatch?: BatchHandler;
  /** Where a group with no committed offset starts. */
  fromBeginning?: boolean;
  policy?: Partial<DeliveryPolicy>;
  observer?: DeliveryObserver;
}

/** Where one partition of a subscription is, for readiness and metrics. */
export interface PartitionStatus {
  topic: string;
  partition: number;
  /** Next offset to process, once known. */
  position?: number;
  /** The partition's end offset (next offset to be written), once known. */
  end?: number;
  /** end - position, once both are known. */
  lag?: number;
  /** The record this partition is retrying, if any. */
  retrying?: { offset: number; attempts: number; since: Date; transient: boolean; error: string };
  /** Retrying one record for longer than `policy.stuckAfterMs`. */
  stuck: boolean;
}

export interface Subscription {
  /** Stops fetching, lets the message in hand finish, commits, and leaves the group. */
  stop(): Promise<void>;
  /** The partitions this consumer has seen so far. */
  status(): PartitionStatus[];
}

/** The port the services use; Kafka and the embedded bus implement it identically. */
export interface EventBus {
  readonly kind: 'kafka' | 'embedded';
  /** Creates missing topics (existing ones are left as they are). */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Resolves once every in-sync replica has the message; rejects (never hangs) when it cannot. */
  send(message: OutgoingMessage): Promise<SendResult>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Succeeds only while the bus is reachable: what readiness checks call. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class BusUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}

/**
 * Thrown by a handler for a record that can never be processed (e.g. not an event at all): it is
 * dead-lettered at once instead of after `maxAttempts`.
 */
export class PoisonRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonRecordError';
  }
}
