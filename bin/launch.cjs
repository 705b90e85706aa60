// What bin/coffer runs: make sure the compiled CLI matches the sources
// (cli-fresh.cjs; cli-bundle.mjs builds when it does not), then run it in
// this same process, so signals and kill -9 sent to bin/coffer's pid reach
// the server itself. CommonJS: a fresh client run never starts the ESM loader.
'use strict';
const { pathToFileURL } = require('node:url');
const { freshEntry, SERVER_COMMANDS } = require('./cli-fresh.cjs');

const name = SERVER_COMMANDS.includes(process.argv[2]) ? 'server' : 'client';

async function build() {
  try {
    const { ensureBundle } = await import('./cli-bundle.mjs');
    return await ensureBundle({
      name,
      onBuild: () => process.env.COFFER_CLI_BUILD_LOG && process.stderr.write('==> building the CLI (esbuild) …\n'),
    });
  } catch (err) {
    // A source that does not compile (esbuild names file:line); nothing stale runs instead.
    process.stderr.write(`coffer: cannot build the CLI from the sources: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  }
}

function run(entry) {
  if (entry.endsWith('.cjs')) require(entry);
  else import(pathToFileURL(entry).href);
}

const fresh = freshEntry({ name });
if (fresh) run(fresh);
else build().then(run);
