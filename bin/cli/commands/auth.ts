// `coffer auth enable|disable|list`: auth method mounts at sys/auth/PATH.
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { sanitizePath } from '../kv-paths';
import { parseOptionFlags } from '../mount-table';
import { clientFor, expectArgs, fail, parse, type Command } from '../command';
import { mountDisableCommand, mountListCommand } from './mount-commands';

const ENABLE_FLAGS = {
  ...COMMON_FLAGS,
  path: { kind: 'string', usage: 'Where to mount the method. Default: the type name.' },
  description: { kind: 'string', usage: 'Human-friendly description of the method.' },
  local: { kind: 'bool', usage: 'Mark the mount local-only: not replicated to performance secondaries.' },
  'seal-wrap': { kind: 'bool', usage: 'Enable seal wrapping of critical values.' },
  'default-lease-ttl': { kind: 'string', usage: 'Default lease TTL for tokens from this method.' },
  'max-lease-ttl': { kind: 'string', usage: 'Maximum lease TTL for tokens from this method.' },
  options: { kind: 'list', usage: 'Key=value option passed to the method; repeatable.' },
} as const satisfies FlagSpecs;

export const authEnableCommand: Command = {
  synopsis: 'Enables a new auth method',
  help: `Usage: coffer auth enable [options] TYPE

  Enables an auth method of TYPE at -path (default: TYPE).

      $ coffer auth enable userpass`,
  flags: ENABLE_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, ENABLE_FLAGS, ctx);
    expectArgs(args, 1);
    const type = args[0].trim();
    const path = sanitizePath(flags.path || type) + '/';
    const config: Record<string, string> = {};
    if (flags['default-lease-ttl']) config.default_lease_ttl = flags['default-lease-ttl'];
    if (flags['max-lease-ttl']) config.max_lease_ttl = flags['max-lease-ttl'];
    const body: Record<string, unknown> = {
      type,
      description: flags.description ?? '',
      local: flags.local,
      seal_wrap: flags['seal-wrap'],
      config,
    };
    if (flags.options.length > 0) body.options = parseOptionFlags(flags.options);
    try {
      await clientFor(flags, ctx).write(`sys/auth/${path.slice(0, -1)}`, body, 'POST');
    } catch (err) {
      return fail(ctx.ui, `Error enabling ${type} auth`, err);
    }
    ctx.ui.out(`Success! Enabled ${type} auth method at: ${path}`);
    return 0;
  },
};

const KIND = { table: 'sys/auth', noun: 'auth method', listError: 'Error listing enabled authentications' };

export const authDisableCommand = mountDisableCommand(
  KIND,
  'Disables an auth method',
  `Usage: coffer auth disable [options] PATH

  Disables the auth method mounted at PATH and revokes the tokens it issued.`,
);

export const authListCommand = mountListCommand(
  KIND,
  'Lists enabled auth methods',
  `Usage: coffer auth list [options]

  Lists the enabled auth methods.`,
);
