// `npm start` runs the console in production mode, which needs `next build`.
// Build only when there is no build yet or a console source is newer than it
// (~10 s), so a fresh clone works with `npm install && npm start`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const buildId = join(root, '.next/BUILD_ID');
const SOURCES = ['app', 'components', 'lib', 'public', 'next.config.js', 'postcss.config.mjs'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
const changed = Math.max(...SOURCES.map((s) => newest(join(root, s))));
if (!built || changed > built) {
  console.log('==> building the console (next build) …');
  execFileSync(join(root, 'node_modules/.bin/next'), ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
}
