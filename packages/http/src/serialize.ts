import fastJson from 'fast-json-stringify';
import Type, { type Static, type TSchema } from 'typebox';

/**
 * Routes that answer one record for `?id=N` and a list otherwise. The union documents both in
 * OpenAPI; at run time the handler picks the matching precompiled serializer, so a list of ten
 * thousand rows is not checked against every branch of the union first.
 */
export function oneOrMany<T extends TSchema>(item: T) {
  return {
    schema: Type.Union([item, Type.Array(item)]),
    one: fastJson(item as object) as (value: Static<T>) => string,
    many: fastJson(Type.Array(item) as object) as (value: Static<T>[]) => string,
  };
}
