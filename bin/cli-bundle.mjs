// The compiled CLI: bin/cli/main.ts bundled by esbuild into .cache/cli/, so
// `bin/coffer` starts plain JavaScript instead of a TypeScript loader.
//
// Several engineers edit server/, lib/ and bin/ while their tests spawn
// bin/coffer, so a stale bundle must never run. Each build records, for every
// source file it read, the size and mtime seen just BEFORE reading it and a
// hash of the bytes it read. A run is fresh when every file still has that
// size and mtime, or (touched, not changed) the same hash. A file edited
// after the stat changes its mtime, so the hash decides; a missing file or a
// new file imported from an edited one fails the check.
//
// Builds go to a new directory each time; only then is stamp.json (which
// names the directory) replaced by rename, so a half-written bundle is never
// run and parallel first runs (test workers) are safe. A lock directory keeps
// them from all building at once; a lock older than LOCK_STALE_MS is ignored.
// Plain .mjs: this must run before anything can compile TypeScript.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Two bundles, each with its own freshness: client commands never load server
 * code, so an edit under server/ does not rebuild `coffer status`.
 */
export const BUNDLES = {
  client: 'bin/cli/main.ts',
  server: 'bin/cli/server-entry.ts',
};
/** argv[0] values that run the server side. */
export const SERVER_COMMANDS = ['server', 'lab'];
/** Files that shape the output without being imported. */
const BUILD_INPUTS = ['bin/cli-bundle.mjs', 'tsconfig.json', 'package.json'];
const LOCK_STALE_MS = 60_000;
const LOCK_POLL_MS = 50;
/**
 * A replaced build directory is removed this long after it was replaced (its
 * mtime is set then): a process that read the old stamp just before has long
 * loaded every chunk it needs by then.
 */
const OLD_BUILD_TTL_MS = 3600_000;
const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json' };

/** @param {string} root @param {string} name */
export function cacheDirOf(root, name) {
  return join(root, '.cache/cli', name);
}

/**
 * @typedef {{ root?: string, name?: keyof typeof BUNDLES, cacheDir?: string, entry?: string }} BundleOpts
 * @param {BundleOpts} opts
 */
function resolveOpts(opts) {
  const root = opts.root ?? REPO_ROOT;
  const name = opts.name ?? 'client';
  return { root, cacheDir: opts.cacheDir ?? cacheDirOf(root, name), entry: opts.entry ?? BUNDLES[name] };
}

/** node:crypto is loaded only when something is hashed: it costs a fresh run ~10 ms. */
async function hashOf(/** @type {Buffer} */ bytes) {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** @param {string} cacheDir */
function readStamp(cacheDir) {
  try {
    return JSON.parse(readFileSync(join(cacheDir, 'stamp.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The entry file of a bundle built from the current sources, or null.
 * @param {BundleOpts} [opts]
 */
export async function freshEntry(opts = {}) {
  const { root, cacheDir, entry } = resolveOpts(opts);
  const stamp = readStamp(cacheDir);
  if (!stamp || stamp.root !== root || stamp.entry !== entry || typeof stamp.inputs !== 'object') return null;
  for (const [rel, seen] of Object.entries(stamp.inputs)) {
    const st = statSync(join(root, rel), { throwIfNoEntry: false });
    if (!st) return null;
    if (st.mtimeMs === seen.mtimeMs && st.size === seen.size) continue;
    if (st.size !== seen.size || (await hashOf(readFileSync(join(root, rel)))) !== seen.hash) return null;
  }
  return join(cacheDir, stamp.dir, 'main.mjs');
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
  const { root, cacheDir, entry } = resolveOpts(opts);
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
  await build({
    absWorkingDir: root,
    entryPoints: { main: join(root, entry) },
    outdir: join(cacheDir, dir),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
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
  writeFileSync(tmp, JSON.stringify({ root, entry, dir, builtAt: Date.now(), inputs }));
  renameSync(tmp, join(cacheDir, 'stamp.json'));
  removeOldBuilds(cacheDir, dir);
  return join(cacheDir, dir, 'main.mjs');
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

/** @param {string} lock */
function tryLock(lock) {
  try {
    mkdirSync(lock);
    return true;
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
    const st = statSync(lock, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) {
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
  const fresh = await freshEntry(opts);
  if (fresh) return fresh;
  const { cacheDir } = resolveOpts(opts);
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, 'lock');
  const deadline = Date.now() + LOCK_STALE_MS;
  let locked = tryLock(lock);
  while (!locked) {
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    const built = await freshEntry(opts);
    if (built) return built;
    if (Date.now() > deadline) break; // a wedged builder: build without the lock (still atomic)
    locked = tryLock(lock);
  }
  try {
    const built = await freshEntry(opts);
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
  for (const name of /** @type {(keyof typeof BUNDLES)[]} */ (Object.keys(BUNDLES))) {
    try {
      await ensureBundle({ name });
    } catch (err) {
      if (!process.argv.includes('--if-possible')) throw err;
      process.stderr.write(`coffer: the ${name} CLI bundle was not built (bin/coffer retries on first use): ${err instanceof Error ? err.message : err}\n`);
    }
  }
}
