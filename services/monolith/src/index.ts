export { buildMonolithApp, type MonolithDeps } from './app.ts';
export { MonolithConfig, loadMonolithConfig } from './config.ts';
export { startMovieCopy } from './movies/copy.ts';
