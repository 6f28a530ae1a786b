// Every request and response shape, defined once. Fastify validates requests and serialises
// responses with these schemas, TypeScript derives the types from them, and @fastify/swagger
// builds the OpenAPI document from the same route definitions.
export * from './common.ts';
export * from './text.ts';
export * from './dates.ts';
export * from './movies.ts';
export * from './payments.ts';
export * from './subscriptions.ts';
export * from './users.ts';
export * from './events.ts';
export * from './events-admin.ts';
