import { asc, eq } from 'drizzle-orm';
import { subscriptions, type Db } from '@cinemaabyss/db';
import type { Subscription } from '@cinemaabyss/api';
import { isoTimestamp } from '../timestamps.ts';

const columns = {
  id: subscriptions.id,
  user_id: subscriptions.userId,
  plan_type: subscriptions.planType,
  start_date: isoTimestamp(subscriptions.startDate),
  end_date: isoTimestamp(subscriptions.endDate),
};

export interface NewSubscription {
  userId: number;
  planType: string;
  startDate: Date;
  endDate: Date;
}

export function listSubscriptions(db: Db, userId?: number): Promise<Subscription[]> {
  const query = db.select(columns).from(subscriptions).$dynamic();
  return (userId === undefined ? query : query.where(eq(subscriptions.userId, userId))).orderBy(asc(subscriptions.id));
}

export async function findSubscription(db: Db, id: number): Promise<Subscription | undefined> {
  const [row] = await db.select(columns).from(subscriptions).where(eq(subscriptions.id, id));
  return row;
}

export async function insertSubscription(db: Db, input: NewSubscription): Promise<Subscription> {
  const [row] = await db.insert(subscriptions).values(input).returning(columns);
  return row!;
}
