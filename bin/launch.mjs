// What bin/coffer runs: make sure the compiled CLI matches the sources
// (cli-bundle.mjs), then run it in this same process, so signals and kill -9
// sent to bin/coffer's pid reach the server itself.
import { pathToFileURL } from 'node:url';
import { ensureBundle, SERVER_COMMANDS } from './cli-bundle.mjs';

let entry;
try {
  entry = await ensureBundle({
    name: SERVER_COMMANDS.includes(process.argv[2]) ? 'server' : 'client',
    onBuild: () => process.env.COFFER_CLI_BUILD_LOG && process.stderr.write('==> building the CLI (esbuild) …\n'),
  });
} catch (err) {
  // A source that does not compile (esbuild names file:line); nothing stale runs instead.
  process.stderr.write(`coffer: cannot build the CLI from the sources: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
