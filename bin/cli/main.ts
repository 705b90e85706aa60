// Entry point of `bin/coffer`: `server` and `lab` hand over to the server
// code; everything else is a Vault-grammar HTTP client command (run.ts).
import type { Ctx } from './command';
import { processInput } from './input';
import { runCli } from './run';
import { processUi } from './ui';

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'server') {
    const { runServer } = await import('../../server/main');
    await runServer(argv.slice(1));
    return;
  }
  if (argv[0] === 'lab') {
    const { runLab } = await import('../../server/lab');
    await runLab(argv.slice(1));
    return;
  }
  // `coffer read ... | head` closing the pipe early is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const ctx: Ctx = { ui: processUi, input: processInput, env: process.env };
  process.exitCode = await runCli(argv, ctx);
}

await main(process.argv.slice(2));
