import { asc, eq } from 'drizzle-orm';
import { payments, type Db } from '@cinemaabyss/db';
import { enqueueEvent, outboxRecord } from '@cinemaabyss/outbox';
import { PaymentEvent, type CreatePayment, type Payment } from '@cinemaabyss/api';
import { isoTimestamp } from '../timestamps.ts';

const columns = {
  id: payments.id,
  user_id: payments.userId,
  amount: payments.amount,
  timestamp: isoTimestamp(payments.timestamp),
};

export function listPayments(db: Db, userId?: number): Promise<Payment[]> {
  const query = db.select(columns).from(payments).$dynamic();
  return (userId === undefined ? query : query.where(eq(payments.userId, userId))).orderBy(asc(payments.id));
}

export async function findPayment(db: Db, id: number): Promise<Payment | undefined> {
  const [row] = await db.select(columns).from(payments).where(eq(payments.id, id));
  return row;
}

/** Records the payment and, in the same transaction, its `payment` event in the outbox. */
export async function insertPayment(db: Db, input: CreatePayment): Promise<Payment> {
  return db.transaction(async (tx) => {
    const [payment] = await tx.insert(payments).values({ userId: input.user_id, amount: input.amount }).returning(columns);
    const { id: payment_id, user_id, amount, timestamp } = payment!;
    await enqueueEvent(tx, outboxRecord(PaymentEvent, { payment_id, user_id, amount, status: 'completed', timestamp }, 'monolith'));
    return payment!;
  });
}
