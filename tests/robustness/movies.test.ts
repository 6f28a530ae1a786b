// Bad input to the movies service, on raw sockets: every case answers its status with a JSON
// error, leaks nothing and writes nothing (see support.ts and cases.ts).
import * as bad from './cases.ts';
import { assertAtLeast, http, runCases, setupServices, type Case } from './support.ts';

const services = setupServices();

const movie = { title: 'Robust', description: 'Holds.', genres: ['Drama'], rating: 7 };
const query = (q: string, error: RegExp): Case => ({ name: `GET /api/movies?${q}`, request: http('GET', `/api/movies?${q}`), status: 400, error });

const cases: Case[] = [
  ...bad.unstorableText('/api/movies', movie, ['title', 'description', 'genres']),
  ...bad.malformedJson('/api/movies', movie),
  ...bad.wrongTypes('/api/movies', movie),
  {
    name: 'POST /api/movies: rating 10.5',
    request: http('POST', '/api/movies', { headers: ['Content-Type: application/json'], body: JSON.stringify({ ...movie, rating: 10.5 }) }),
    status: 400,
    error: /body\.rating/,
  },
  {
    name: 'POST /api/movies: 21 genres',
    request: http('POST', '/api/movies', {
      headers: ['Content-Type: application/json'],
      body: JSON.stringify({ ...movie, genres: Array.from({ length: 21 }, (_, i) => `g${i}`) }),
    }),
    status: 400,
    error: /body\.genres/,
  },
  {
    name: 'POST /api/movies: duplicate genres',
    request: http('POST', '/api/movies', { headers: ['Content-Type: application/json'], body: JSON.stringify({ ...movie, genres: ['Drama', 'Drama'] }) }),
    status: 400,
    error: /body\.genres/,
  },
  {
    name: 'POST /api/movies: blank title',
    request: http('POST', '/api/movies', { headers: ['Content-Type: application/json'], body: JSON.stringify({ ...movie, title: ' \t ' }) }),
    status: 400,
    error: /body\.title/,
  },
  ...bad.mediaAndSize('/api/movies', movie),
  ...bad.wrongMethods('/api/movies', ['GET', 'POST']),
  ...bad.wrongMethods('/api/movies/health', ['GET']),
  ...bad.wrongMethods('/api/movies/ready', ['GET']),
  ...bad.integers('/api/movies', 'id'),
  ...bad.integers('/api/movies', 'limit'),
  query('offset=-1', /querystring\.offset/),
  query('offset=2147483648', /querystring\.offset/),
  query('limit=1001', /querystring\.limit/),
  query('genre=', /querystring\.genre/),
  query(`genre=${'g'.repeat(51)}`, /querystring\.genre/),
  query('genre=a%00b', /querystring\.genre/),
  ...bad.framing('/api/movies', movie),
  ...bad.unknownPaths(['/API/MOVIES', '/api/movies/1', '/api/movies%00', '/api/users', '/%2e%2e/%2e%2e/etc/passwd']),
  { name: 'bad percent escape in the path', request: http('GET', '/api/mo%ZZvies'), status: 400 },
];

assertAtLeast(cases, 60);
runCases(
  'movies service refuses bad input',
  () => services.movies,
  () => services.database,
  cases,
);
