// Building the compiled CLI: bin/cli/main.ts (client commands, one CommonJS
// file) and bin/cli/server-entry.ts (server and lab, ES modules split into
// chunks) bundled by esbuild into .cache/cli/<name>/, so `bin/coffer` starts
// plain JavaScript instead of a TypeScript loader. cli-fresh.cjs decides
// whether a build is current; this file makes one when it is not.
//
// Several engineers edit server/, lib/ and bin/ while their tests spawn
// bin/coffer, so a stale bundle must never run. Each build records, for every
// source file it read, the size and mtime seen just BEFORE reading it and a
// hash of the bytes it read (cli-fresh.cjs compares). A file edited after the
// stat changes its mtime, so the hash decides; a missing file, or a new file
// imported from an edited one, fails the check.
//
// Builds go to a new directory each time; only then is stamp.json (which
// names the directory) replaced by rename, so a half-written bundle is never
// run and parallel first runs (test workers) are safe. A lock directory keeps
// them from all building at once; a lock whose builder is gone, or older
// than LOCK_STALE_MS, is ignored.
// Plain JavaScript: this must run before anything can compile TypeScript.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fresh from './cli-fresh.cjs';

export const { REPO_ROOT, BUNDLES, SERVER_COMMANDS, cacheDirOf, freshEntry } = fresh;
const { resolveOpts, readStamp } = fresh;

/** Files that shape the output without being imported. */
const BUILD_INPUTS = ['bin/cli-bundle.mjs', 'bin/cli-fresh.cjs', 'tsconfig.json', 'package.json'];
const LOCK_STALE_MS = 60_000;
const LOCK_POLL_MS = 50;
/**
 * A replaced build directory is removed this long after it was replaced (its
 * mtime is set then): a process that read the old stamp just before has long
 * loaded every chunk it needs by then.
 */
const OLD_BUILD_TTL_MS = 3600_000;
const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json' };

/** @typedef {{ root?: string, name?: 'client' | 'server', cacheDir?: string, entry?: string, format?: 'cjs' | 'esm' }} BundleOpts */

/** node:crypto is loaded only when building. */
async function hashOf(/** @type {Buffer} */ bytes) {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Loads project files for esbuild, recording what was read (stat first, then
 * bytes), and gives each module its own source file's import.meta.url, so
 * code that finds the repository from its own location still does.
 * @param {string} root
 * @param {Record<string, { mtimeMs: number, size: number, hash: string }>} inputs
 */
function recordingLoader(root, inputs) {
  return {
    name: 'coffer-sources',
    /** @param {any} build */
    setup(build) {
      build.onLoad({ filter: /\.(ts|tsx|mts|js|mjs|json)$/ }, async (/** @type {{ path: string }} */ args) => {
        const st = statSync(args.path);
        const bytes = readFileSync(args.path);
        inputs[relative(root, args.path)] = { mtimeMs: st.mtimeMs, size: st.size, hash: await hashOf(bytes) };
        const ext = /** @type {keyof typeof LOADERS} */ (extname(args.path));
        let contents = bytes.toString('utf8');
        if (contents.includes('import.meta.url')) {
          contents = contents.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        }
        return { contents, loader: LOADERS[ext] ?? 'ts' };
      });
    },
  };
}

/**
 * Builds into a new directory, then points stamp.json at it.
 * @param {BundleOpts} [opts]
 */
export async function buildBundle(opts = {}) {
  const { root, cacheDir, entry, format } = resolveOpts(opts);
  const { build } = await import('esbuild');
  const dir = `b-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(cacheDir, { recursive: true });
  /** @type {Record<string, { mtimeMs: number, size: number, hash: string }>} */
  const inputs = {};
  for (const rel of BUILD_INPUTS) {
    const path = join(root, rel);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st) inputs[rel] = { mtimeMs: st.mtimeMs, size: st.size, hash: await hashOf(readFileSync(path)) };
  }
  const tsconfig = join(root, 'tsconfig.json');
  const file = format === 'cjs' ? 'main.cjs' : 'main.mjs';
  await build({
    absWorkingDir: root,
    entryPoints: { main: join(root, entry) },
    outdir: join(cacheDir, dir),
    outExtension: { '.js': format === 'cjs' ? '.cjs' : '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    // esm: one chunk per lazily imported module. cjs (the client): one file, whose
    // lazily imported command modules are evaluated only when that command runs.
    splitting: format === 'esm',
    format,
    // The client file is read on every call: whitespace and syntax minified (~25 %
    // fewer bytes to scan); names are kept, so stack traces stay readable.
    ...(format === 'cjs' ? { minifyWhitespace: true, minifySyntax: true } : {}),
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'silent',
    ...(statSync(tsconfig, { throwIfNoEntry: false }) ? { tsconfig } : {}),
    plugins: [recordingLoader(root, inputs)],
  });
  const previous = readStamp(cacheDir)?.dir;
  if (typeof previous === 'string') {
    const now = new Date();
    try {
      utimesSync(join(cacheDir, previous), now, now); // replaced now: removeOldBuilds counts from here
    } catch {
      /* already gone */
    }
  }
  const tmp = join(cacheDir, `stamp.json.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, JSON.stringify({ root, entry, format, dir, file, builtAt: Date.now(), inputs }));
  renameSync(tmp, join(cacheDir, 'stamp.json'));
  removeOldBuilds(cacheDir, dir);
  return join(cacheDir, dir, file);
}

/** @param {string} cacheDir @param {string} keep */
function removeOldBuilds(cacheDir, keep) {
  const now = Date.now();
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('b-') || name === keep) continue;
    const st = statSync(join(cacheDir, name), { throwIfNoEntry: false });
    if (st && now - st.mtimeMs > OLD_BUILD_TTL_MS) rmSync(join(cacheDir, name), { recursive: true, force: true });
  }
}

/** Is the builder that holds this lock gone (killed mid-build, e.g. kill -9 by a test)? */
function holderGone(/** @type {string} */ lock) {
  let pid;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just taken, pid not written yet: the age rule decides
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'ESRCH';
  }
}

/** @param {string} lock */
function tryLock(lock) {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
    const st = statSync(lock, { throwIfNoEntry: false });
    if (st && (Date.now() - st.mtimeMs > LOCK_STALE_MS || holderGone(lock))) {
      rmSync(lock, { recursive: true, force: true });
      return tryLock(lock);
    }
    return false;
  }
}

/**
 * The entry of a fresh bundle, building one first when needed. Waits while
 * another process builds (it most likely builds the same sources).
 * @param {BundleOpts & { onBuild?: () => void }} [opts]
 */
export async function ensureBundle(opts = {}) {
  const current = freshEntry(opts);
  if (current) return current;
  const { cacheDir } = resolveOpts(opts);
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, 'lock');
  const deadline = Date.now() + LOCK_STALE_MS;
  let locked = tryLock(lock);
  while (!locked) {
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    const built = freshEntry(opts);
    if (built) return built;
    if (Date.now() > deadline) break; // a wedged builder: build without the lock (still atomic)
    locked = tryLock(lock);
  }
  try {
    const built = freshEntry(opts);
    if (built) return built;
    opts.onBuild?.();
    return await buildBundle(opts);
  } finally {
    if (locked) rmSync(lock, { recursive: true, force: true });
  }
}

// `node bin/cli-bundle.mjs` (`npm run build:cli`): build both bundles now.
// `--if-possible` (npm postinstall): a source that does not compile yet only
// warns, so `npm install` still succeeds; bin/coffer builds on first use.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const name of /** @type {('client' | 'server')[]} */ (Object.keys(BUNDLES))) {
    try {
      await ensureBundle({ name });
    } catch (err) {
      if (!process.argv.includes('--if-possible')) throw err;
      process.stderr.write(`coffer: the ${name} CLI bundle was not built (bin/coffer retries on first use): ${err instanceof Error ? err.message : err}\n`);
    }
  }
}
