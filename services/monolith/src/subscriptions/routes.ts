import { CreateSubscription, ErrorBody, Subscription, SubscriptionQuery, dateInputInstant } from '@cinemaabyss/api';
import { foreignKeyViolation, type Db } from '@cinemaabyss/db';
import { badRequest, notFound, oneOrMany, unprocessable, type App } from '@cinemaabyss/http';
import { findSubscription, insertSubscription, listSubscriptions } from './queries.ts';

const out = oneOrMany(Subscription);

/** The schema has checked the form and the year; an offset can still carry a boundary date out of range. */
function instant(field: string, text: string): Date {
  const date = dateInputInstant(text);
  if (!date) throw badRequest(`body.${field} must be between 1900-01-01 and 9999-12-31 (UTC)`);
  return date;
}

export function subscriptionRoutes(app: App, db: Db): void {
  app.get(
    '/api/subscriptions',
    {
      schema: {
        summary: 'All subscriptions, one user’s with ?user_id=N, or one with ?id=N',
        tags: ['subscriptions'],
        querystring: SubscriptionQuery,
        response: { 200: out.schema, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, user_id } = request.query;
      if (id === undefined) return out.many(reply, await listSubscriptions(db, user_id));
      const subscription = await findSubscription(db, id);
      if (!subscription || (user_id !== undefined && subscription.user_id !== user_id)) {
        throw notFound(`subscription ${id}`);
      }
      return out.one(reply, subscription);
    },
  );

  app.post(
    '/api/subscriptions',
    {
      schema: {
        summary: 'Create a subscription (end_date may equal start_date, never precede it)',
        tags: ['subscriptions'],
        body: CreateSubscription,
        response: { 201: Subscription, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const { user_id, plan_type, start_date, end_date } = request.body;
      const startDate = instant('start_date', start_date);
      const endDate = instant('end_date', end_date);
      if (endDate < startDate) throw badRequest('body.end_date must not be before body.start_date');
      try {
        const row = await insertSubscription(db, { userId: user_id, planType: plan_type, startDate, endDate });
        return reply.code(201).send(row);
      } catch (error) {
        if (foreignKeyViolation(error)) throw unprocessable(`user ${user_id} does not exist`);
        throw error;
      }
    },
  );
}
