// The CLI proper, separate from main.ts so tests can drive it in-process:
// help, dispatch, and the mapping of failures to Vault's exit codes.
import { EXIT_USAGE, type Ctx } from './command';
import { HelpRequested, UsageError } from './flags';
import { commandHelp, groupHelp, mainHelp } from './help';
import { PromptCanceled } from './input';
import { resolveCommand, subcommandsOf } from './registry';

/** Exit code of mitchellh/cli for an unknown command. */
export const EXIT_UNKNOWN_COMMAND = 127;

export async function runCli(argv: string[], ctx: Ctx): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === 'help' || first === '-help' || first === '--help' || first === '-h') {
    if (first === 'help' && argv.length > 1) {
      const resolved = resolveCommand(argv.slice(1));
      if (resolved) {
        ctx.ui.out(commandHelp(await resolved.load()));
        return 0;
      }
    }
    (first === undefined ? ctx.ui.err : ctx.ui.out).call(ctx.ui, await mainHelp());
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === '-version' || first === '--version' || first === 'version') {
    ctx.ui.out('Coffer v0.1.0');
    return 0;
  }

  const resolved = resolveCommand(argv);
  if (!resolved) {
    const group = subcommandsOf(first);
    if (group.length > 0) {
      ctx.ui.err(await groupHelp(first, group));
      return EXIT_USAGE;
    }
    ctx.ui.err(await mainHelp());
    return EXIT_UNKNOWN_COMMAND;
  }

  const command = await resolved.load();
  try {
    return await command.run(resolved.args, ctx);
  } catch (err) {
    if (err instanceof HelpRequested) {
      ctx.ui.err(commandHelp(command));
      return 0;
    }
    if (err instanceof UsageError) {
      ctx.ui.err(err.message);
      ctx.ui.err('');
      ctx.ui.err(command.help.split('\n')[0]);
      ctx.ui.err(`Run "coffer ${resolved.name} -help" for the options.`);
      return EXIT_USAGE;
    }
    if (err instanceof PromptCanceled) {
      ctx.ui.err('user canceled');
      return EXIT_USAGE;
    }
    ctx.ui.err(`Error: ${(err as Error).message ?? String(err)}`);
    return 2;
  }
}
