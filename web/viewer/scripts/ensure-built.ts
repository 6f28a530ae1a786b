// `npm start` runs this first (prestart): a fresh clone, or a viewer changed since its last build,
// is built before the gateway serves it, so nobody opens a blank or stale page. Otherwise a no-op.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const built = (() => {
  try {
    return statSync(join(root, 'dist', 'index.html')).mtimeMs;
  } catch {
    return undefined;
  }
})();

const sources = [
  'index.html',
  'vite.config.ts',
  'package.json',
  ...readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).map((file) => join('src', file)),
  ...readdirSync(join(root, 'public'), { recursive: true, encoding: 'utf8' }).map((file) => join('public', file)),
];
const changed = built === undefined || sources.some((file) => statSync(join(root, file)).mtimeMs > built);
if (changed) {
  console.log(built === undefined ? 'Building the viewer web app (first start)…' : 'The viewer web app changed: rebuilding it…');
  execFileSync('npm', ['run', 'build', '--silent', '-w', 'web/viewer'], { stdio: 'inherit', cwd: join(root, '..', '..') });
}
