// `npm start` runs this first (prestart), and `npm run test:web` too: each web app (web/<name>) that
// a fresh clone has not built, or that changed since its last build, is built before the gateway
// serves it, so nobody opens a blank or stale page. Otherwise a no-op.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const repository = join(import.meta.dirname, '..');
const web = join(repository, 'web');

for (const name of readdirSync(web)) {
  const root = join(web, name);
  if (!existsSync(join(root, 'vite.config.ts'))) continue;
  const built = (() => {
    try {
      return statSync(join(root, 'dist', 'index.html')).mtimeMs;
    } catch {
      return undefined;
    }
  })();
  const tree = (folder: string) =>
    existsSync(join(root, folder)) ? readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' }).map((file) => join(folder, file)) : [];
  const sources = ['index.html', 'vite.config.ts', 'package.json', ...tree('src'), ...tree('public')];
  const changed = built === undefined || sources.some((file) => statSync(join(root, file)).mtimeMs > built);
  if (changed) {
    console.log(built === undefined ? `Building the ${name} web app (first start)…` : `The ${name} web app changed: rebuilding it…`);
    execFileSync('npm', ['run', 'build', '--silent', '-w', `web/${name}`], { stdio: 'inherit', cwd: repository });
  }
}
