import Type, { type Static } from 'typebox';
import { Id, Timestamp, UserScopedQuery } from './common.ts';

export const Payment = Type.Object(
  {
    id: Id,
    user_id: Id,
    amount: Type.Number(),
    timestamp: Timestamp,
  },
  { title: 'Payment' },
);
export type Payment = Static<typeof Payment>;

export const CreatePayment = Type.Object(
  {
    user_id: Id,
    amount: Type.Number({ exclusiveMinimum: 0, maximum: 9_999_999_999.99, description: 'At most two decimal places' }),
  },
  { additionalProperties: false, title: 'CreatePayment' },
);
export type CreatePayment = Static<typeof CreatePayment>;

export const PaymentQuery = UserScopedQuery;
export type PaymentQuery = Static<typeof PaymentQuery>;

/** Money is stored exactly (numeric(12,2)); more decimals would be silently rounded, so refuse them. */
export function hasAtMostTwoDecimals(amount: number): boolean {
  return Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;
}
