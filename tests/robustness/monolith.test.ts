// Bad input to the monolith, on raw sockets: every case answers its status with a JSON error,
// leaks nothing and writes nothing (see support.ts and cases.ts).
import * as bad from './cases.ts';
import { assertAtLeast, http, runCases, setupServices, type Case } from './support.ts';

const services = setupServices();

const users = { username: 'robust', email: 'robust@example.com' };
const movies = { title: 'Robust', description: 'Holds.', genres: ['Drama'], rating: 7 };
const payments = { user_id: 1, amount: 10 };
const subscriptions = { user_id: 1, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-02-01' };

const cases: Case[] = [
  ...bad.unstorableText('/api/users', users, ['username', 'email']),
  ...bad.unstorableText('/api/movies', movies, ['title', 'description', 'genres']),
  ...bad.unstorableText('/api/subscriptions', subscriptions, ['plan_type']),
  ...bad.dates('/api/subscriptions', subscriptions, ['start_date', 'end_date']),
  ...bad.amounts('/api/payments', payments),
  ...bad.malformedJson('/api/users', users),
  ...bad.malformedJson('/api/payments', payments),
  ...bad.wrongTypes('/api/movies', movies),
  ...bad.wrongTypes('/api/subscriptions', subscriptions),
  ...bad.mediaAndSize('/api/users', users),
  ...bad.mediaAndSize('/api/subscriptions', subscriptions),
  ...bad.wrongMethods('/api/users', ['GET', 'POST']),
  ...bad.wrongMethods('/api/payments', ['GET', 'POST']),
  ...bad.wrongMethods('/health', ['GET']),
  ...bad.wrongMethods('/ready', ['GET']),
  ...bad.integers('/api/users', 'id'),
  ...bad.integers('/api/payments', 'user_id'),
  ...bad.integers('/api/subscriptions', 'id', 'user_id=1&'),
  ...bad.framing('/api/users', users),
  ...bad.unknownPaths(['/API/USERS', '/api/users/1', '/api/users%00', '/api/nothing', '/%2e%2e/%2e%2e/etc/passwd', '/api/users/..%2f..%2fetc']),
  { name: 'bad percent escape in the path', request: http('GET', '/api/us%ZZers'), status: 400 },
  { name: 'bad percent escape in the query', request: http('GET', '/api/users?id=%ZZ'), status: 400, error: /querystring\.id|escape|URL/i },
  { name: 'GET /api/movies?genre= with NUL', request: http('GET', '/api/movies?genre=a%00b'), status: 400, error: /querystring\.genre/ },
];

assertAtLeast(cases, 60);
runCases(
  'monolith refuses bad input',
  () => services.monolith,
  () => services.database,
  cases,
);
