// `coffer policy write|read|list|delete`: ACL policies at sys/policies/acl/NAME.
import { COMMON_FLAGS } from '../flags';
import { readFile } from 'node:fs/promises';
import { toJson } from '../output';
import { clientFor, EXIT_API, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command } from '../command';

/** Vault stores policy names lower-cased. */
const policyName = (raw: string) => raw.trim().toLowerCase();

export const policyWriteCommand: Command = {
  synopsis: 'Uploads a named policy from a file',
  help: `Usage: coffer policy write [options] NAME PATH

  Uploads a policy named NAME from the file at PATH, or from stdin when PATH is "-".

      $ coffer policy write superuser -<<EOF
      path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }
      EOF`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 2);
    const name = policyName(args[0]);
    let rules: string;
    try {
      rules = args[1] === '-' ? await ctx.input.readAll() : await readFile(args[1], 'utf8');
    } catch (err) {
      ctx.ui.err(`Error opening policy file: ${(err as Error).message}`);
      return EXIT_USAGE;
    }
    try {
      await clientFor(flags, ctx).write(`sys/policies/acl/${encodeURIComponent(name)}`, { policy: rules });
    } catch (err) {
      return fail(ctx.ui, 'Error uploading policy', err);
    }
    ctx.ui.out(`Success! Uploaded policy: ${name}`);
    return 0;
  },
};

export const policyReadCommand: Command = {
  synopsis: 'Prints the contents of a policy',
  help: `Usage: coffer policy read [options] NAME

  Prints the rules of the policy named NAME.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1);
    const format = formatFor(flags, ctx);
    const name = policyName(args[0]);
    let secret;
    try {
      secret = await clientFor(flags, ctx).read(`sys/policies/acl/${encodeURIComponent(name)}`);
    } catch (err) {
      return fail(ctx.ui, `Error reading policy named ${name}`, err);
    }
    const rules = secret?.data?.policy;
    if (typeof rules !== 'string') {
      ctx.ui.err(`No policy named: ${name}`);
      return EXIT_API;
    }
    if (format === 'json') ctx.ui.out(toJson({ policy: rules }));
    else ctx.ui.out(rules.trim());
    return 0;
  },
};

export const policyListCommand: Command = {
  synopsis: 'Lists the installed policies',
  help: `Usage: coffer policy list [options]

  Lists the names of the ACL policies on the server.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 0);
    const format = formatFor(flags, ctx);
    let secret;
    try {
      secret = await clientFor(flags, ctx).list('sys/policies/acl');
    } catch (err) {
      return fail(ctx.ui, 'Error listing policies', err);
    }
    const keys = Array.isArray(secret?.data?.keys) ? (secret.data.keys as unknown[]).map(String) : [];
    if (format === 'json') ctx.ui.out(toJson(keys));
    else for (const k of keys) ctx.ui.out(k);
    return 0;
  },
};

export const policyDeleteCommand: Command = {
  synopsis: 'Deletes a policy by name',
  help: `Usage: coffer policy delete [options] NAME

  Deletes the policy named NAME. Tokens that carry it lose its grants at once.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1);
    const name = policyName(args[0]);
    try {
      await clientFor(flags, ctx).delete(`sys/policies/acl/${encodeURIComponent(name)}`);
    } catch (err) {
      return fail(ctx.ui, `Error deleting ${name}`, err);
    }
    ctx.ui.out(`Success! Deleted policy: ${name}`);
    return 0;
  },
};
