// Bad input to the monolith, on raw sockets: every case answers its status with a JSON error,
// leaks nothing and writes nothing (see support.ts and cases.ts).
import {
  badAmounts,
  badDates,
  badFraming,
  badIntegers,
  malformedJson,
  mediaAndSize,
  unknownPaths,
  unstorableText,
  wrongMethods,
  wrongTypes,
} from './cases.ts';
import { assertAtLeast, http, runCases, setupServices, type Case } from './support.ts';

const services = setupServices();

const users = { username: 'robust', email: 'robust@example.com' };
const movies = { title: 'Robust', description: 'Holds.', genres: ['Drama'], rating: 7 };
const payments = { user_id: 1, amount: 10 };
const subscriptions = { user_id: 1, plan_type: 'basic', start_date: '2025-01-01', end_date: '2025-02-01' };

const cases: Case[] = [
  ...unstorableText('/api/users', users, ['username', 'email']),
  ...unstorableText('/api/movies', movies, ['title', 'description', 'genres']),
  ...unstorableText('/api/subscriptions', subscriptions, ['plan_type']),
  ...badDates('/api/subscriptions', subscriptions, ['start_date', 'end_date']),
  ...badAmounts('/api/payments', payments),
  ...malformedJson('/api/users', users),
  ...malformedJson('/api/payments', payments),
  ...wrongTypes('/api/movies', movies),
  ...wrongTypes('/api/subscriptions', subscriptions),
  ...mediaAndSize('/api/users', users),
  ...mediaAndSize('/api/subscriptions', subscriptions),
  ...wrongMethods('/api/users', ['GET', 'POST']),
  ...wrongMethods('/api/payments', ['GET', 'POST']),
  ...wrongMethods('/health', ['GET']),
  ...wrongMethods('/ready', ['GET']),
  ...badIntegers('/api/users', 'id'),
  ...badIntegers('/api/payments', 'user_id'),
  ...badIntegers('/api/subscriptions', 'id', 'user_id=1&'),
  ...badFraming('/api/users', users),
  ...unknownPaths(['/API/USERS', '/api/users/1', '/api/users%00', '/api/nothing', '/%2e%2e/%2e%2e/etc/passwd', '/api/users/..%2f..%2fetc']),
  { name: 'bad percent escape in the path', request: http('GET', '/api/us%ZZers'), status: 400 },
  { name: 'bad percent escape in the query', request: http('GET', '/api/users?id=%ZZ'), status: 400, error: /querystring\.id|escape|URL/i },
  { name: 'GET /api/movies?genre= with NUL', request: http('GET', '/api/movies?genre=a%00b'), status: 400, error: /querystring\.genre/ },
];

assertAtLeast(cases, 60);
runCases('monolith refuses bad input', () => services.monolith, () => services.database, cases);
