// Bad input to the events service, on raw sockets: every case answers its status with a JSON
// error, leaks nothing and publishes nothing (the embedded bus's messages are counted; see support.ts).
import * as bad from './cases.ts';
import { assertAtLeast, http, postJson, runCases, setupServices, type Case } from './support.ts';

const services = setupServices();

const movie = { movie_id: 7, title: 'Heat', action: 'viewed', user_id: 2, rating: 8.3, genres: ['Crime'], description: 'LA.' };
const user = { user_id: 3, username: 'user3', email: 'user3@example.com', action: 'logged_in', timestamp: '2025-05-01T10:00:00Z' };
const payment = { payment_id: 11, user_id: 3, amount: 9.99, status: 'completed', timestamp: '2025-05-01T10:00:00Z', method_type: 'card' };

/** Event times that are not RFC 3339 date-times, or name no real instant. */
const badTimes = ['2025-02-30T10:00:00Z', '2025-13-01T10:00:00Z', '2025-05-01T24:00:01Z', '2025-05-01T10:00:00+25:00', '2025-05-01', 'yesterday', '1746093600'];

const recent = (q: string, error: RegExp): Case => ({
  name: `GET /api/events/recent?${q}`,
  request: http('GET', `/api/events/recent?${q}`),
  status: 400,
  error,
});

const cases: Case[] = [
  ...bad.unstorableText('/api/events/movie', movie, ['title', 'action', 'genres', 'description']),
  ...bad.unstorableText('/api/events/user', user, ['username', 'email', 'action']),
  ...bad.unstorableText('/api/events/payment', payment, ['status', 'method_type']),
  ...badTimes.map((timestamp) => ({
    name: `POST /api/events/payment: timestamp ${JSON.stringify(timestamp)}`,
    request: postJson('/api/events/payment', { ...payment, timestamp }),
    status: 400,
    error: /body\.timestamp/,
  })),
  ...bad.amounts('/api/events/payment', payment),
  ...bad.malformedJson('/api/events/movie', movie),
  ...bad.wrongTypes('/api/events/user', user),
  ...bad.mediaAndSize('/api/events/payment', payment),
  ...bad.wrongMethods('/api/events/movie', ['POST']),
  ...bad.wrongMethods('/api/events/recent', ['GET']),
  ...bad.wrongMethods('/api/events/ready', ['GET']),
  ...bad.integers('/api/events/recent', 'limit'),
  recent('limit=501', /querystring\.limit/),
  recent('topic=orders', /querystring\.topic/),
  recent('topic=', /querystring\.topic/),
  recent('topic=movie-events%00', /querystring\.topic/),
  ...bad.framing('/api/events/movie', movie),
  ...bad.unknownPaths(['/api/events', '/api/events/MOVIE', '/api/events/movie/1', '/api/events/movie%00', '/admin/../api/events/movie']),
  { name: 'bad percent escape in the path', request: http('GET', '/api/events/re%ZZcent'), status: 400 },
];

assertAtLeast(cases, 60);
runCases(
  'events service refuses bad input',
  () => services.events,
  () => services.database,
  cases,
);
