// Is the compiled CLI built from the current sources? The check bin/coffer
// runs before every command, kept in CommonJS with nothing but node:fs and
// node:path, so a fresh run loads neither the ESM loader nor node:crypto
// (together ~40 ms of a ~150 ms budget). Building is cli-bundle.mjs's job.
//
// stamp.json lists, for every source file a build read, the size and mtime
// seen just BEFORE reading it and a hash of the bytes read. Fresh: every file
// still has that size and mtime, or (touched, not changed) the same hash.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const REPO_ROOT = resolve(__dirname, '..');

/**
 * Each bundle has its own freshness: client commands never load server code,
 * so an edit under server/ does not rebuild `coffer status`.
 */
const BUNDLES = {
  client: { entry: 'bin/cli/main.ts', format: 'cjs' },
  server: { entry: 'bin/cli/server-entry.ts', format: 'esm' },
};
/** argv[0] values that run the server side. */
const SERVER_COMMANDS = ['server', 'lab'];

function cacheDirOf(root, name) {
  return join(root, '.cache/cli', name);
}

function resolveOpts(opts) {
  const root = opts.root || REPO_ROOT;
  const name = opts.name || 'client';
  const bundle = BUNDLES[name];
  return {
    root,
    cacheDir: opts.cacheDir || cacheDirOf(root, name),
    entry: opts.entry || bundle.entry,
    format: opts.format || bundle.format,
  };
}

function readStamp(cacheDir) {
  try {
    return JSON.parse(readFileSync(join(cacheDir, 'stamp.json'), 'utf8'));
  } catch {
    return null;
  }
}

function hashOf(bytes) {
  return require('node:crypto').createHash('sha256').update(bytes).digest('hex');
}

/** The entry file of a bundle built from the current sources, or null. */
function freshEntry(opts = {}) {
  const { root, cacheDir, entry, format } = resolveOpts(opts);
  const stamp = readStamp(cacheDir);
  if (!stamp || stamp.root !== root || stamp.entry !== entry || stamp.format !== format) return null;
  if (typeof stamp.inputs !== 'object' || typeof stamp.file !== 'string') return null;
  for (const [rel, seen] of Object.entries(stamp.inputs)) {
    const st = statSync(join(root, rel), { throwIfNoEntry: false });
    if (!st) return null;
    if (st.mtimeMs === seen.mtimeMs && st.size === seen.size) continue;
    if (st.size !== seen.size || hashOf(readFileSync(join(root, rel))) !== seen.hash) return null;
  }
  return join(cacheDir, stamp.dir, stamp.file);
}

module.exports = { REPO_ROOT, BUNDLES, SERVER_COMMANDS, cacheDirOf, resolveOpts, readStamp, hashOf, freshEntry };
