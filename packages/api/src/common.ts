import Type, { type Static } from 'typebox';

/** Postgres `integer` ids: bounded so that a huge id is a 400, not a database error. */
export const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });

/** Every error answer; packages/http adds the ones every route shares to its OpenAPI entry. */
export const ErrorBody = Type.Object({ error: Type.String() }, { $id: 'Error', description: 'Every error answer' });
export type ErrorBody = Static<typeof ErrorBody>;

export const HealthStatus = Type.Object({ status: Type.Boolean() });

export const Readiness = Type.Object({
  status: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.String()),
});

// Unknown query parameters (cache busters, tracking) are ignored, not refused.
export const IdQuery = Type.Object({ id: Type.Optional(Id) });

/** `?id=N` for one record, `?user_id=N` for one user's records, neither for all. */
export const UserScopedQuery = Type.Object({ id: Type.Optional(Id), user_id: Type.Optional(Id) });

/**
 * ISO 8601 timestamps as the API writes them. Handlers may hand over a Date: the response
 * serializer writes it as an ISO string, so the type admits both.
 */
export const Timestamp = Type.Unsafe<string | Date>(Type.String({ format: 'date-time' }));
