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

/**
 * Money, stored exactly as numeric(12,2): a cent at least (a smaller positive amount would be
 * rounded to 0.00), the column's largest value at most. Two decimals at most is checked by
 * `hasAtMostTwoDecimals`: JSON Schema's `multipleOf: 0.01` is inexact on binary floats.
 */
// multipleOf states the cents rule in the document (schemathesis's validator applies it exactly);
// Ajv checks it with multipleOfPrecision (packages/http), and hasAtMostTwoDecimals decides exactly.
export const Amount = Type.Number({ minimum: 0.01, maximum: 9_999_999_999.99, multipleOf: 0.01, description: 'At most two decimal places' });

export const CreatePayment = Type.Object(
  {
    user_id: Id,
    amount: Amount,
  },
  { additionalProperties: false, title: 'CreatePayment' },
);
export type CreatePayment = Static<typeof CreatePayment>;

export const PaymentQuery = UserScopedQuery;
export type PaymentQuery = Static<typeof PaymentQuery>;

/**
 * Exact: the number's shortest decimal form, `String(amount)`, which is also the text numeric(12,2)
 * is given, has at most two decimals. So 0.29 and 9999999999.99 pass, 1.005 and 0.1 + 0.2
 * (0.30000000000000004, which would be stored as 0.30) do not. Below 1e-6 and from 1e21 on the
 * form has an exponent and fails: no amount lies there.
 */
export function hasAtMostTwoDecimals(amount: number): boolean {
  return /^-?[0-9]+(?:\.[0-9]{1,2})?$/.test(String(amount));
}

/** The 400 message for a body's `amount` the schema let through but numeric(12,2) would round. */
export const amountError = (amount: number): string | undefined =>
  hasAtMostTwoDecimals(amount) ? undefined : 'body.amount must have at most 2 decimal places';
