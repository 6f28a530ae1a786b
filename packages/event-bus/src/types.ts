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

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /**
   * Called once per message, in order within a partition. The offset is committed only after it
   * resolves (at-least-once); if it throws, the same message is retried after a backoff.
   */
  handler: MessageHandler;
  /** Where a group with no committed offset starts. */
  fromBeginning?: boolean;
}

export interface Subscription {
  /** Stops fetching, lets the message in hand finish, commits, and leaves the group. */
  stop(): Promise<void>;
}

/** The port the services use; Kafka and the embedded bus implement it identically. */
export interface EventBus {
  readonly kind: 'kafka' | 'embedded';
  /** Creates missing topics (existing ones are left as they are). */
  ensureTopics(topics: string[]): Promise<void>;
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

export const TOPICS = {
  user: 'user-events',
  movie: 'movie-events',
  payment: 'payment-events',
} as const;
export const ALL_TOPICS = Object.values(TOPICS);
