import Type, { type Static } from 'typebox';
import { Id, Timestamp, UserScopedQuery } from './common.ts';
import { DateInput } from './dates.ts';
import { Name } from './text.ts';

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
    plan_type: Name({ maxLength: 50, examples: ['basic', 'premium', 'family'] }),
    start_date: DateInput,
    end_date: DateInput,
  },
  { additionalProperties: false, title: 'CreateSubscription' },
);
export type CreateSubscription = Static<typeof CreateSubscription>;

export const SubscriptionQuery = UserScopedQuery;
export type SubscriptionQuery = Static<typeof SubscriptionQuery>;
