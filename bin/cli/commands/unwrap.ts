// `coffer unwrap [TOKEN]`: sys/wrapping/unwrap. With no TOKEN the client's own
// token is the wrapping token (Vault's `VAULT_TOKEN=<wrapping> vault unwrap`).
import { COMMON_FLAGS } from '../flags';
import { outputList, outputSecret, printRawField } from '../output';
import { clientFor, EXIT_API, expectArgs, fail, formatFor, parse, type Command } from '../command';

export const unwrapCommand: Command = {
  synopsis: 'Unwrap a wrapped secret',
  help: `Usage: coffer unwrap [options] [TOKEN]

  Unwraps a wrapped secret from Coffer by the given token. The result is the
  same as the "coffer read" operation on the non-wrapped secret. If no token
  is given, the data in the currently authenticated token is unwrapped.

      $ coffer unwrap 3de9ece1-b347-e143-29b0-dc739cb9a8d8`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 0, 1);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    let secret;
    try {
      secret = await client.write('sys/wrapping/unwrap', args.length === 1 ? { token: args[0].trim() } : {});
    } catch (err) {
      return fail(ctx.ui, 'Error unwrapping', err);
    }
    if (!secret) {
      ctx.ui.err('Could not find wrapped response');
      return EXIT_API;
    }
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    // A wrapped LIST answer unwraps to a key list: print it as `coffer list` would.
    if (Array.isArray(secret.data?.keys) && Object.keys(secret.data ?? {}).length === 1) return outputList(ctx.ui, secret, format);
    return outputSecret(ctx.ui, secret, format);
  },
};
