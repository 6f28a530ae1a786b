import Type, { type Static } from 'typebox';
import { DateInput, Id, Timestamp, UserScopedQuery } from './common.ts';

export const Subscription = Type.Object(
  {
    id: Id,
    user_id: Id,
    plan_type: Type.String(),
    start_date: Timestamp,
    end_date: Timestamp,
  },
  { title: 'Subscription' },
);
export type Subscription = Static<typeof Subscription>;

export const CreateSubscription = Type.Object(
  {
    user_id: Id,
    plan_type: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S', examples: ['basic', 'premium', 'family'] }),
    start_date: DateInput,
    end_date: DateInput,
  },
  { additionalProperties: false, title: 'CreateSubscription' },
);
export type CreateSubscription = Static<typeof CreateSubscription>;

export const SubscriptionQuery = UserScopedQuery;
export type SubscriptionQuery = Static<typeof SubscriptionQuery>;
