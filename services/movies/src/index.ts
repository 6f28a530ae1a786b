export { buildMoviesApp, type MoviesDeps } from './app.ts';
export { MoviesConfig, loadMoviesConfig } from './config.ts';
