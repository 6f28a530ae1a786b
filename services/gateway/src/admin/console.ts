// The migration console (web/console's production build) on the admin port: static files need no
// token; the page asks for one and sends it on every admin API call.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { consoleRoot as builtConsole } from '@cinemaabyss/console';
import { unavailable, type App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';

export async function serveConsole(app: App, root: string = builtConsole, logger: Logger): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    logger.warn({ root }, 'the console is not built (npm run build:web): the admin port serves the API only');
    app.get('/', { schema: { hide: true } }, async () => {
      throw unavailable('the console is not built: run npm run build:web');
    });
    return;
  }
  await app.register(fastifyStatic, {
    root,
    setHeaders: (reply, path) => {
      // Vite names every asset by its content hash; index.html names the current ones.
      reply.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      // A page with migration controls must never be framed (clickjacking).
      reply.header('content-security-policy', "frame-ancestors 'none'");
    },
  });
}
