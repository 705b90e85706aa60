// `coffer operator unseal` (one key share per call, or -reset) and
// `coffer operator seal`.
import { UNAUTHENTICATED } from '../client';
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { PromptCanceled } from '../input';
import { toJson } from '../output';
import { fetchLeader, sealStatusJson, sealStatusTable, type SealStatus } from '../seal-status';
import { clientFor, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command } from '../command';

const UNSEAL_FLAGS = {
  ...COMMON_FLAGS,
  reset: { kind: 'bool', usage: 'Discard the key shares entered so far.' },
} as const satisfies FlagSpecs;

export const operatorUnsealCommand: Command = {
  synopsis: 'Unseals the server',
  help: `Usage: coffer operator unseal [options] [KEY]

  Provides one unseal key share. Without KEY the share is prompted for (hidden
  on a terminal); "-" reads it from stdin.`,
  flags: UNSEAL_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, UNSEAL_FLAGS, ctx);
    expectArgs(args, 0, 1);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    let body: Record<string, unknown>;
    if (flags.reset) body = { reset: true };
    else {
      let key: string;
      try {
        if (args[0] === '-') key = await ctx.input.readAll();
        else if (args.length === 1) key = args[0];
        else key = await ctx.input.readSecret('Unseal Key (will be hidden): ', (t) => ctx.ui.raw(t));
      } catch (err) {
        if (err instanceof PromptCanceled) {
          ctx.ui.err('user canceled');
          return EXIT_USAGE;
        }
        throw err;
      }
      body = { key: key.trim() };
    }
    let status: SealStatus;
    try {
      status = ((await client.request('PUT', 'sys/unseal', { ...UNAUTHENTICATED, body })).body ?? {}) as SealStatus;
    } catch (err) {
      return fail(ctx.ui, flags.reset ? 'Error resetting unseal process' : 'Error unsealing', err);
    }
    const leader = await fetchLeader(client);
    if (format === 'json') ctx.ui.out(toJson(sealStatusJson(status, leader)));
    else ctx.ui.out(sealStatusTable(status, leader));
    return 0;
  },
};

export const operatorSealCommand: Command = {
  synopsis: 'Seals the server',
  help: `Usage: coffer operator seal [options]

  Seals the server: it forgets its keys and answers nothing until unsealed
  with a quorum of key shares. Needs a token with sudo on sys/seal.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 0);
    try {
      await clientFor(flags, ctx).request('PUT', 'sys/seal', { wrap: false });
    } catch (err) {
      return fail(ctx.ui, 'Error sealing', err);
    }
    ctx.ui.out('Success! Vault is sealed.');
    return 0;
  },
};
