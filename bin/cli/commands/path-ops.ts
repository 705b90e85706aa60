// The generic path commands: read, write, list, delete. They speak to any
// API path and print whatever comes back, exactly like their Vault namesakes.
import { tokenFingerprint } from '../../../lib/api/replication-token';
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { parseArgsData } from '../kv-args';
import { sanitizePath } from '../kv-paths';
import type { Secret } from '../client';
import { outputList, outputSecret, printRawField, type Format } from '../output';
import {
  clientFor,
  dataSources,
  EXIT_API,
  EXIT_USAGE,
  expectArgs,
  fail,
  formatFor,
  parse,
  toQuery,
  type Command,
  type Ctx,
} from '../command';

export const readCommand: Command = {
  synopsis: 'Read data and retrieves secrets',
  help: `Usage: coffer read [options] PATH [K=V...]

  Reads data from the server at PATH. K=V pairs are sent as query parameters.

      $ coffer read secret/foo
      $ coffer read -format=json sys/seal-status`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1, Infinity);
    const format = formatFor(flags, ctx);
    const path = sanitizePath(args[0]);
    const query = toQuery(await parseArgsData(args.slice(1), dataSources(ctx)));
    let secret;
    try {
      secret = await clientFor(flags, ctx).read(path, query);
    } catch (err) {
      return fail(ctx.ui, `Error reading ${path}`, err);
    }
    if (!secret) {
      ctx.ui.err(`No value found at ${path}`);
      return EXIT_API;
    }
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    return outputSecret(ctx.ui, secret, format);
  },
};

const WRITE_FLAGS = {
  ...COMMON_FLAGS,
  force: { kind: 'bool', aliases: ['f'], usage: 'Allow the operation to continue with no key=value pairs.' },
} as const satisfies FlagSpecs;

export const writeCommand: Command = {
  synopsis: 'Write data, configuration, and secrets',
  help: `Usage: coffer write [options] PATH [DATA K=V...]

  Writes data to the server at PATH. Values may be k=v, k=@file, k=- (stdin),
  or a lone "-" to send a JSON object read from stdin as the whole body.

      $ coffer write auth/userpass/users/tester password=changeme policies=superuser
      $ coffer write -f sys/replication/performance/primary/enable`,
  flags: WRITE_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, WRITE_FLAGS, ctx);
    expectArgs(args, 1, Infinity);
    const format = formatFor(flags, ctx);
    const path = sanitizePath(args[0]);
    const data = await parseArgsData(args.slice(1), dataSources(ctx));
    if (Object.keys(data).length === 0 && !flags.force) {
      ctx.ui.err('Must supply data or use -force');
      return EXIT_USAGE;
    }
    let secret;
    try {
      secret = await clientFor(flags, ctx).write(path, data);
    } catch (err) {
      return fail(ctx.ui, `Error writing data to ${path}`, err);
    }
    if (!secret) {
      if (format === 'table') ctx.ui.out(`Success! Data written to: ${path}`);
      return 0;
    }
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    const code = outputSecret(ctx.ui, secret, format);
    // The console shows the same line on the primary's copy screen and the
    // secondary's form, so two admins can compare the token by voice.
    const token = secret.wrap_info?.token;
    if (format === 'table' && token && SECONDARY_TOKEN_PATH.test(path)) {
      ctx.ui.out(`\nToken fingerprint: ${await tokenFingerprint(token)}`);
    }
    return code;
  },
};

const SECONDARY_TOKEN_PATH = /^sys\/replication\/(?:(?:performance|dr)\/)?primary\/secondary-token$/;

export const listCommand: Command = {
  synopsis: 'List data or secrets',
  help: `Usage: coffer list [options] PATH

  Lists the keys at PATH.

      $ coffer list secret/metadata/`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1);
    const format = formatFor(flags, ctx);
    const path = sanitizePath(args[0]) + '/';
    let secret;
    try {
      secret = await clientFor(flags, ctx).list(path);
    } catch (err) {
      return fail(ctx.ui, `Error listing ${path}`, err);
    }
    return printListResult(ctx, secret, path, format);
  },
};

/** Shared by `list` and `kv list`: wrapped replies, missing paths and key tables. */
export function printListResult(ctx: Ctx, secret: Secret | null, path: string, format: Format): number {
  if (secret?.wrap_info?.ttl) return outputSecret(ctx.ui, secret, format);
  const keys = secret?.data?.keys;
  if (!secret || !secret.data) {
    if (format === 'json') ctx.ui.out('{}');
    else ctx.ui.err(`No value found at ${path}`);
    return EXIT_API;
  }
  if (!Array.isArray(keys)) {
    if (format === 'json') ctx.ui.out('{}');
    else ctx.ui.err(`No entries found at ${path}`);
    return EXIT_API;
  }
  return outputList(ctx.ui, secret, format);
}

export const deleteCommand: Command = {
  synopsis: 'Delete secrets and configuration',
  help: `Usage: coffer delete [options] PATH [K=V...]

  Deletes the data at PATH. K=V pairs are sent as query parameters.

      $ coffer delete secret/foo`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1, Infinity);
    const format = formatFor(flags, ctx);
    const path = sanitizePath(args[0]);
    const query = toQuery(await parseArgsData(args.slice(1), dataSources(ctx)));
    let secret;
    try {
      secret = await clientFor(flags, ctx).delete(path, query);
    } catch (err) {
      return fail(ctx.ui, `Error deleting ${path}`, err);
    }
    if (!secret) {
      if (format === 'table') ctx.ui.out(`Success! Data deleted (if it existed) at: ${path}`);
      return 0;
    }
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    return outputSecret(ctx.ui, secret, format);
  },
};
