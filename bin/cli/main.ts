// Entry point of `bin/coffer` for the Vault-grammar HTTP client commands
// (run.ts). `server` and `lab` start from server-entry.ts instead (bin/launch.mjs
// picks), so this bundle never loads the server, Next.js or SQLite.
import type { Ctx } from './command';
import { processInput } from './input';
import { runCli } from './run';
import { processUi } from './ui';

async function main(argv: string[]): Promise<void> {
  // `coffer read ... | head` closing the pipe early is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const ctx: Ctx = { ui: processUi, input: processInput, env: process.env };
  process.exitCode = await runCli(argv, ctx);
}

// No top-level await: the client bundle is CommonJS (bin/cli-fresh.cjs says why).
void main(process.argv.slice(2));
