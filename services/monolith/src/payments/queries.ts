import { asc, eq } from 'drizzle-orm';
import { payments, type Db } from '@cinemaabyss/db';
import type { CreatePayment, Payment } from '@cinemaabyss/api';

const columns = { id: payments.id, user_id: payments.userId, amount: payments.amount, timestamp: payments.timestamp };


export function listPayments(db: Db, userId?: number): Promise<Payment[]> {
  const query = db.select(columns).from(payments).$dynamic();
  return (userId === undefined ? query : query.where(eq(payments.userId, userId))).orderBy(asc(payments.id));
}

export async function findPayment(db: Db, id: number): Promise<Payment | undefined> {
  const [row] = await db.select(columns).from(payments).where(eq(payments.id, id));
  return row;
}

export async function insertPayment(db: Db, input: CreatePayment): Promise<Payment> {
  const [row] = await db.insert(payments).values({ userId: input.user_id, amount: input.amount }).returning(columns);
  return row!;
}
