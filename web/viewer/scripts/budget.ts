// npm run web:budget: the viewer's initial JavaScript — every script index.html loads or
// preloads — gzipped (level 9, as served compressed), must stay within the budget. Run after
// `npm run build:web`; CI runs both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 150 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"/g), ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+\.js)"/g)].map(
  (match) => match[1]!,
);
if (initial.length === 0) throw new Error(`no script in ${join(dist, 'index.html')}: was the viewer built?`);

let total = 0;
for (const src of new Set(initial)) {
  const bytes = readFileSync(join(dist, src.replace(/^\//, '')));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  total += gzipped;
  console.log(`${src}  ${(bytes.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
}
const verdict = total <= BUDGET_BYTES ? 'within' : 'OVER';
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped, ${verdict} the ${BUDGET_BYTES / 1024} KB budget`);
if (total > BUDGET_BYTES) process.exitCode = 1;
