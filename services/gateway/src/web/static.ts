// A web app's production build (web/<name>/dist), served by a gateway app next to what it proxies.
// The build's files are listed once at start, so telling a web request from a proxied one is a set
// lookup: the proxy's hot path (/api/*) pays one string comparison, no file system access.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from '@cinemaabyss/http';
import type { Logger } from '@cinemaabyss/logging';

/** Where `npm run build:web` writes a web app's build in this repository (web/<name>/dist). */
export const repositoryWebBuild = (name: string): string => fileURLToPath(new URL(`../../../../web/${name}/dist`, import.meta.url));

// Vite names every file under assets/ by its content hash: a changed file is a new URL, so they can
// be cached for good. index.html names the current ones and must be revalidated every time.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
// The apps load only their own scripts and styles and talk only to their own origin.
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export interface WebBuild {
  dir: string;
  /** URL paths of the build's files, `/` included (its index.html). */
  files: ReadonlySet<string>;
}

/** The build in `dir`, or undefined when it has no index.html (not built yet). */
export function findWebBuild(dir: string): WebBuild | undefined {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) return undefined;
  const files = new Set(['/']);
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.add(`/${relative(root, join(entry.parentPath, entry.name)).split(sep).join('/')}`);
  }
  return { dir: root, files };
}

/**
 * The viewer's build (GATEWAY_VIEWER_DIR, else this repository's). A missing build is a warning, not
 * a failure: the API works without it, and the line says how to build it.
 */
export function viewerBuild(dir: string | undefined, logger: Logger): WebBuild | undefined {
  const where = dir ?? repositoryWebBuild('viewer');
  const build = findWebBuild(where);
  if (!build) logger.warn({ dir: where }, 'the viewer web app is not built (npm run build:web): / is proxied like any other path');
  return build;
}

/**
 * Whether a request is the web app's: a GET or HEAD of one of its files, or a browser navigating to
 * one of its client-side pages (a path without extension that asks for HTML), which gets index.html.
 * `reserved` prefixes (the API's) are never the app's, so a page can never shadow an endpoint, and
 * API clients, which do not ask for HTML, keep the proxied 404 of an unknown path.
 */
export function webRequestMatcher(build: WebBuild, reserved: readonly string[]) {
  return (method: string | undefined, path: string, accept: string | undefined): boolean => {
    if (method !== 'GET' && method !== 'HEAD') return false;
    for (const prefix of reserved) if (path.startsWith(prefix)) return false;
    if (build.files.has(path)) return true;
    return accept?.includes('text/html') === true && !path.slice(path.lastIndexOf('/')).includes('.');
  };
}

/** Serves the build's files and, for client-side pages (unless the app has none), its index.html. */
export async function serveWebBuild(app: App, build: WebBuild, { clientPages = true } = {}): Promise<void> {
  await app.register(fastifyStatic, {
    root: build.dir,
    wildcard: false, // one route per file, listed at start like `build.files`
    cacheControl: false,
    setHeaders: (reply, path) => {
      const html = path.endsWith('.html');
      reply.header('cache-control', html ? REVALIDATE : IMMUTABLE);
      reply.header('x-content-type-options', 'nosniff');
      if (html) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    },
  });
  if (clientPages) app.get('/*', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
}
