// The viewer's one way to call the API, through the gateway on the page's own origin. Every
// failure becomes an ApiError whose message can be shown as it is, and which names the field a
// validation error is about, so forms can put it next to that field.
import type { CreatePayment, CreateSubscription, CreateUser, Movie, MovieEventBody, Payment, Subscription, User } from '@cinemaabyss/api';

/** The services behind the API, named as a person would: shown when one of them is down. */
export type Service = 'catalogue' | 'accounts' | 'events';

const SERVICE_OF: [prefix: string, service: Service][] = [
  ['/api/movies', 'catalogue'],
  ['/api/events', 'events'],
  ['/api/', 'accounts'],
];

export type Problem = 'invalid' | 'conflict' | 'not-found' | 'unavailable' | 'offline' | 'failed';

export class ApiError extends Error {
  readonly problem: Problem;
  readonly status: number;
  /** The request field a validation or conflict error is about (e.g. `email`), when it names one. */
  readonly field: string | undefined;

  constructor(problem: Problem, status: number, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.problem = problem;
    this.status = status;
    this.field = field;
  }
}

/** The API names a field as `body.email must …` (validation) or `email already exists` (conflict). */
function fieldOf(message: string): string | undefined {
  return /^(?:body|querystring)\.([a-z_]+)/.exec(message)?.[1] ?? /^([a-z_]+) already exists/.exec(message)?.[1];
}

function failure(status: number, service: Service, error: string | undefined): ApiError {
  if (status === 502 || status === 503 || status === 504) {
    return new ApiError('unavailable', status, `The ${service} service is unavailable right now. Please try again in a moment.`);
  }
  const text = (error ?? '').replace(/^(?:body|querystring)\./, '');
  if (status === 400 || status === 422) return new ApiError('invalid', status, capitalise(text || 'The request was refused.'), fieldOf(error ?? ''));
  if (status === 409) return new ApiError('conflict', status, capitalise(text || 'That already exists.'), fieldOf(error ?? ''));
  if (status === 404) return new ApiError('not-found', status, capitalise(text || 'Not found.'));
  return new ApiError('failed', status, `Something went wrong in the ${service} service (error ${status}). Please try again.`);
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
  const service = SERVICE_OF.find(([prefix]) => path.startsWith(prefix))![1];
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('offline', 0, 'CinemaAbyss cannot be reached. Check your connection and try again.');
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw failure(response.status, service, (parsed as { error?: string } | undefined)?.error);
  if (parsed === undefined) throw failure(500, service, undefined);
  return { data: parsed as T, headers: response.headers };
}

export interface MovieFilters {
  title?: string | undefined;
  genre?: string | undefined;
}

export interface MoviePage {
  movies: Movie[];
  /** Every movie matching the filters (the API's X-Total-Count, packages/api's TOTAL_COUNT_HEADER). */
  total: number;
}

export async function listMovies(filters: MovieFilters, limit: number, offset: number): Promise<MoviePage> {
  const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (filters.title) query.set('title', filters.title);
  if (filters.genre) query.set('genre', filters.genre);
  const { data, headers } = await call<Movie[]>('GET', `/api/movies?${query}`);
  return { movies: data, total: Number(headers.get('x-total-count') ?? data.length) };
}

export const getMovie = async (id: number) => (await call<Movie>('GET', `/api/movies?id=${id}`)).data;
export const createUser = async (user: CreateUser) => (await call<User>('POST', '/api/users', user)).data;
export const getUser = async (id: number) => (await call<User>('GET', `/api/users?id=${id}`)).data;
export const pay = async (payment: CreatePayment) => (await call<Payment>('POST', '/api/payments', payment)).data;
export const subscribe = async (subscription: CreateSubscription) => (await call<Subscription>('POST', '/api/subscriptions', subscription)).data;
export const listPayments = async (userId: number) => (await call<Payment[]>('GET', `/api/payments?user_id=${userId}`)).data;
export const listSubscriptions = async (userId: number) => (await call<Subscription[]>('GET', `/api/subscriptions?user_id=${userId}`)).data;
export const postMovieEvent = async (event: MovieEventBody) => (await call<unknown>('POST', '/api/events/movie', event)).data;
