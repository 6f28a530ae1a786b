// The events service's operator view of its consumer (GET /admin/consumer), for the event suites.
import { call } from '../support/stack.ts';

export interface PartitionState {
  topic: string;
  partition: number;
  position?: number;
  end?: number;
  lag?: number;
  stuck: boolean;
  retrying?: { offset: number; attempts: number; transient: boolean; error: string };
}

export async function consumerStatus(events: string): Promise<{ partitions: PartitionState[]; dead_letters: { pending: number; replayed: number } }> {
  const res = await call('GET', `${events}/admin/consumer`);
  if (res.status !== 200) throw new Error(`GET /admin/consumer: ${res.status} ${res.text}`);
  return res.body;
}

/** Every partition the consumer knows has a known position at its end (nothing left to process). */
export async function caughtUp(events: string): Promise<boolean> {
  const { partitions } = await consumerStatus(events);
  return partitions.length > 0 && partitions.every((p) => p.end === undefined || p.end === 0 || p.lag === 0);
}
