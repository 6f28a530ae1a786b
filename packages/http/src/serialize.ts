import type { FastifyReply } from 'fastify';
import fastJson from 'fast-json-stringify';
import Type, { type Static, type TSchema } from 'typebox';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Routes that answer one record for `?id=N` and a list otherwise. The union documents both in
 * OpenAPI; at run time the handler sends with the matching precompiled serializer, so a list of
 * ten thousand rows is not checked against every branch of the union first.
 */
export function oneOrMany<T extends TSchema>(item: T) {
  const one = fastJson(item as object) as (value: Static<T>) => string;
  const many = fastJson(Type.Array(item) as object) as (value: Static<T>[]) => string;
  return {
    schema: Type.Union([item, Type.Array(item)]),
    one: (reply: FastifyReply, value: Static<T>) => reply.type(JSON_TYPE).serializer(one).send(value),
    many: (reply: FastifyReply, values: Static<T>[]) => reply.type(JSON_TYPE).serializer(many).send(values),
    /** One record's JSON, as `many` writes each element: for answers serialised ahead of time. */
    stringify: one,
    /** Sends JSON serialised ahead of time (Fastify writes a Buffer as it is). */
    serialized: (reply: FastifyReply, body: Buffer) => reply.type(JSON_TYPE).send(body),
  };
}
