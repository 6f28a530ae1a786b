// The migration console (web/console's production build) on the admin port, served like the viewer
// (web/static.ts). Its files need no token; the page asks for one and sends it on every admin API
// call. It navigates by `#/screen`, so no client-side page needs index.html under another path, and
// an unknown /admin path stays the API's 404.
import { unavailable, type App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';
import { findWebBuild, repositoryWebBuild, serveWebBuild } from '../web/static.ts';

export async function serveConsole(app: App, dir: string = repositoryWebBuild('console'), logger: Logger): Promise<void> {
  const build = findWebBuild(dir);
  if (build) return serveWebBuild(app, build, { clientPages: false });
  logger.warn({ dir }, 'the console is not built (npm run build:web): the admin port serves the API only');
  app.get('/', { schema: { hide: true } }, async () => {
    throw unavailable('the console is not built: run npm run build:web');
  });
}
