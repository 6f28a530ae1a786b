import { CreatePayment, ErrorBody, Payment, PaymentQuery, amountError } from '@cinemaabyss/api';
import { foreignKeyViolation, type Db } from '@cinemaabyss/db';
import { badRequest, notFound, oneOrMany, unprocessable, type App } from '@cinemaabyss/http';
import { findPayment, insertPayment, listPayments } from './queries.ts';

const out = oneOrMany(Payment);

export function paymentRoutes(app: App, db: Db, published: () => void): void {
  app.get(
    '/api/payments',
    {
      schema: {
        summary: 'All payments, one user’s with ?user_id=N, or one with ?id=N',
        tags: ['payments'],
        querystring: PaymentQuery,
        response: { 200: out.schema, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, user_id } = request.query;
      if (id === undefined) return out.many(reply, await listPayments(db, user_id));
      const payment = await findPayment(db, id);
      if (!payment || (user_id !== undefined && payment.user_id !== user_id)) throw notFound(`payment ${id}`);
      return out.one(reply, payment);
    },
  );

  app.post(
    '/api/payments',
    {
      schema: {
        summary: 'Record a payment; the server sets its timestamp',
        tags: ['payments'],
        body: CreatePayment,
        response: { 201: Payment, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const refused = amountError(request.body.amount);
      if (refused) throw badRequest(refused);
      try {
        const created = await insertPayment(db, request.body);
        published();
        return reply.code(201).send(created);
      } catch (error) {
        if (foreignKeyViolation(error)) throw unprocessable(`user ${request.body.user_id} does not exist`);
        throw error;
      }
    },
  );
}
