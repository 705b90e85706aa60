// `coffer token create|lookup|revoke|renew|capabilities` over auth/token/*.
import { COMMON_FLAGS, UsageError, type FlagSpecs, type FlagValues } from '../flags';
import { sanitizePath } from '../kv-paths';
import { outputSecret, printRawField, toJson } from '../output';
import { clientFor, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command } from '../command';

const CREATE_FLAGS = {
  ...COMMON_FLAGS,
  id: { kind: 'string', usage: 'Use this value as the token ID (root only).' },
  'display-name': { kind: 'string', usage: 'Name associated with the token.' },
  ttl: { kind: 'string', usage: 'Initial TTL, e.g. "30m" or "3600".' },
  'explicit-max-ttl': { kind: 'string', usage: 'Hard limit on the token lifetime, renewals included.' },
  period: { kind: 'string', usage: 'Make a periodic token renewed for this period each time.' },
  renewable: { kind: 'bool', usage: 'Allow renewal (default true; -renewable=false to forbid).' },
  'use-limit': { kind: 'int', usage: 'Number of uses before the token is revoked (0: unlimited).' },
  orphan: { kind: 'bool', usage: 'Create a token with no parent.' },
  'no-default-policy': { kind: 'bool', usage: 'Do not attach the "default" policy.' },
  policy: { kind: 'list', usage: 'Policy to attach; repeatable.' },
  metadata: { kind: 'list', usage: 'Key=value metadata; repeatable.' },
  role: { kind: 'string', usage: 'Create the token against this token role.' },
  type: { kind: 'string', usage: 'service or batch.' },
  'entity-alias': { kind: 'string', usage: 'Entity alias to associate with the token.' },
} as const satisfies FlagSpecs;

/** The body of auth/token/create from parsed flags; only what was given is sent. */
export function tokenCreateBody(
  flags: FlagValues<typeof CREATE_FLAGS>,
  seen: Set<string>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.id) body.id = flags.id;
  if (flags.policy.length > 0) body.policies = flags.policy.flatMap((p) => p.split(',').map((s) => s.trim())).filter(Boolean);
  if (flags.metadata.length > 0) {
    const meta: Record<string, string> = {};
    for (const kv of flags.metadata) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`invalid metadata "${kv}": expected key=value`);
      meta[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    body.meta = meta;
  }
  if (flags['display-name']) body.display_name = flags['display-name'];
  if (flags.ttl) body.ttl = flags.ttl;
  if (flags['explicit-max-ttl']) body.explicit_max_ttl = flags['explicit-max-ttl'];
  if (flags.period) body.period = flags.period;
  if (seen.has('renewable')) body.renewable = flags.renewable;
  if (flags['use-limit'] !== undefined) body.num_uses = flags['use-limit'];
  if (flags['no-default-policy']) body.no_default_policy = true;
  if (flags.orphan) body.no_parent = true;
  if (flags.type) body.type = flags.type;
  if (flags['entity-alias']) body.entity_alias = flags['entity-alias'];
  return body;
}

export const tokenCreateCommand: Command = {
  synopsis: 'Create a new token',
  help: `Usage: coffer token create [options]

  Creates a token that is a child of the caller's token (unless -orphan).

      $ coffer token create -policy=superuser -ttl=1h`,
  flags: CREATE_FLAGS,
  async run(argv, ctx) {
    const { flags, args, seen } = parse(argv, CREATE_FLAGS, ctx);
    expectArgs(args, 0);
    const format = formatFor(flags, ctx);
    const body = tokenCreateBody(flags, seen);
    const path = flags.role
      ? `auth/token/create/${encodeURIComponent(flags.role)}`
      : flags.orphan
        ? 'auth/token/create-orphan'
        : 'auth/token/create';
    let secret;
    try {
      secret = await clientFor(flags, ctx).write(path, body, 'POST');
    } catch (err) {
      return fail(ctx.ui, 'Error creating token', err);
    }
    if (!secret) return 0;
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    return outputSecret(ctx.ui, secret, format);
  },
};

const ACCESSOR_FLAGS = {
  ...COMMON_FLAGS,
  accessor: { kind: 'bool', usage: 'Treat the argument as an accessor instead of a token.' },
} as const satisfies FlagSpecs;

export const tokenLookupCommand: Command = {
  synopsis: 'Display information about a token',
  help: `Usage: coffer token lookup [options] [TOKEN | ACCESSOR]

  Shows a token's properties; the caller's own token when none is given.`,
  flags: ACCESSOR_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, ACCESSOR_FLAGS, ctx);
    expectArgs(args, flags.accessor ? 1 : 0, 1);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    let secret;
    try {
      if (flags.accessor) secret = await client.write('auth/token/lookup-accessor', { accessor: args[0] }, 'POST');
      else if (args.length === 1) secret = await client.write('auth/token/lookup', { token: args[0] }, 'POST');
      else secret = await client.read('auth/token/lookup-self');
    } catch (err) {
      return fail(ctx.ui, 'Error looking up token', err);
    }
    if (!secret) {
      ctx.ui.err('Error looking up token: no token information returned');
      return 2;
    }
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    return outputSecret(ctx.ui, secret, format);
  },
};

const REVOKE_FLAGS = {
  ...ACCESSOR_FLAGS,
  self: { kind: 'bool', usage: 'Revoke the token used for this request.' },
  mode: { kind: 'string', usage: '"orphan" revokes the token but not its children.' },
} as const satisfies FlagSpecs;

export const tokenRevokeCommand: Command = {
  synopsis: 'Revoke a token and its children',
  help: `Usage: coffer token revoke [options] [TOKEN | ACCESSOR]

  Revokes a token and, unless -mode=orphan, all tokens created from it.`,
  flags: REVOKE_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, REVOKE_FLAGS, ctx);
    if (flags.self) {
      if (args.length > 0) throw new UsageError('Tokens cannot be specified with -self');
      if (flags.accessor) throw new UsageError('Cannot use -self with -accessor');
    } else expectArgs(args, 1);
    if (flags.mode && flags.mode !== 'orphan') {
      ctx.ui.err(`Invalid mode: ${flags.mode}`);
      return EXIT_USAGE;
    }
    const client = clientFor(flags, ctx);
    try {
      if (flags.self) await client.write('auth/token/revoke-self', {}, 'POST');
      else if (flags.accessor) await client.write('auth/token/revoke-accessor', { accessor: args[0] }, 'POST');
      else if (flags.mode === 'orphan') await client.write('auth/token/revoke-orphan', { token: args[0] }, 'POST');
      else await client.write('auth/token/revoke', { token: args[0] }, 'POST');
    } catch (err) {
      return fail(ctx.ui, 'Error revoking token', err);
    }
    ctx.ui.out('Success! Revoked token (if it existed)');
    return 0;
  },
};

const RENEW_FLAGS = {
  ...COMMON_FLAGS,
  increment: { kind: 'string', aliases: ['i'], usage: 'Requested extension, e.g. "1h"; the server may cap it.' },
} as const satisfies FlagSpecs;

export const tokenRenewCommand: Command = {
  synopsis: 'Renew a token lease',
  help: `Usage: coffer token renew [options] [TOKEN]

  Extends a token's TTL; the caller's own token when none is given.`,
  flags: RENEW_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, RENEW_FLAGS, ctx);
    expectArgs(args, 0, 1);
    const format = formatFor(flags, ctx);
    const body: Record<string, unknown> = {};
    if (flags.increment) body.increment = flags.increment;
    const client = clientFor(flags, ctx);
    let secret;
    try {
      secret =
        args.length === 1
          ? await client.write('auth/token/renew', { ...body, token: args[0] }, 'POST')
          : await client.write('auth/token/renew-self', body, 'POST');
    } catch (err) {
      return fail(ctx.ui, 'Error renewing token', err);
    }
    if (!secret) return 0;
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    return outputSecret(ctx.ui, secret, format);
  },
};

export const tokenCapabilitiesCommand: Command = {
  synopsis: 'Print capabilities of a token on a path',
  help: `Usage: coffer token capabilities [options] [TOKEN] PATH

  Prints what the token (the caller's own when none is given) may do on PATH.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1, 2);
    const format = formatFor(flags, ctx);
    const path = sanitizePath(args[args.length - 1]);
    const client = clientFor(flags, ctx);
    let secret;
    try {
      secret =
        args.length === 2
          ? await client.write('sys/capabilities', { token: args[0], paths: [path] }, 'POST')
          : await client.write('sys/capabilities-self', { paths: [path] }, 'POST');
    } catch (err) {
      return fail(ctx.ui, 'Error listing capabilities', err);
    }
    const data = (secret?.data ?? {}) as Record<string, unknown>;
    const caps = ((data[path] ?? data.capabilities ?? []) as unknown[]).map(String).sort();
    if (format === 'json') ctx.ui.out(toJson(caps));
    else ctx.ui.out(caps.join(', '));
    return 0;
  },
};
