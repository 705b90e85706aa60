// `coffer secrets enable|disable|list`: secrets engine mounts at sys/mounts/PATH.
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { sanitizePath } from '../kv-paths';
import { parseOptionFlags } from '../mount-table';
import { clientFor, expectArgs, fail, parse, type Command } from '../command';
import { mountDisableCommand, mountListCommand } from './mount-commands';

const ENABLE_FLAGS = {
  ...COMMON_FLAGS,
  path: { kind: 'string', usage: 'Where to mount the engine. Default: the type name.' },
  description: { kind: 'string', usage: 'Human-friendly description of the engine.' },
  local: { kind: 'bool', usage: 'Mark the mount local-only: not replicated to performance secondaries.' },
  'seal-wrap': { kind: 'bool', usage: 'Enable seal wrapping of critical values.' },
  version: { kind: 'int', usage: 'KV version (1 or 2); shorthand for -options=version=N.' },
  'default-lease-ttl': { kind: 'string', usage: 'Default lease TTL for this engine.' },
  'max-lease-ttl': { kind: 'string', usage: 'Maximum lease TTL for this engine.' },
  options: { kind: 'list', usage: 'Key=value option passed to the engine; repeatable.' },
} as const satisfies FlagSpecs;

/** "kv-v2" is Vault's alias for kv with options.version=2. */
export function mountRequest(
  typeArg: string,
  flags: { version?: number; options: string[] },
): { type: string; options: Record<string, string> } {
  const options = parseOptionFlags(flags.options);
  let type = typeArg.trim();
  if (type === 'kv-v2') {
    type = 'kv';
    options.version = '2';
  }
  if (flags.version !== undefined && flags.version > 0) options.version = String(flags.version);
  return { type, options };
}

export const secretsEnableCommand: Command = {
  synopsis: 'Enable a secrets engine',
  help: `Usage: coffer secrets enable [options] TYPE

  Enables a secrets engine of TYPE at -path (default: TYPE).

      $ coffer secrets enable -path=kv -version=2 kv
      $ coffer secrets enable -local kv-v2`,
  flags: ENABLE_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, ENABLE_FLAGS, ctx);
    expectArgs(args, 1);
    const typeArg = args[0].trim();
    const { type, options } = mountRequest(typeArg, flags);
    const path = sanitizePath(flags.path || typeArg) + '/';
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
    if (Object.keys(options).length > 0) body.options = options;
    try {
      await clientFor(flags, ctx).write(`sys/mounts/${path.slice(0, -1)}`, body, 'POST');
    } catch (err) {
      return fail(ctx.ui, 'Error enabling', err);
    }
    ctx.ui.out(`Success! Enabled the ${typeArg} secrets engine at: ${path}`);
    return 0;
  },
};

const KIND = { table: 'sys/mounts', noun: 'secrets engine', listError: 'Error listing secrets engines' };

export const secretsDisableCommand = mountDisableCommand(
  KIND,
  'Disable a secrets engine',
  `Usage: coffer secrets disable [options] PATH

  Disables the secrets engine at PATH and deletes its data.`,
);

export const secretsListCommand = mountListCommand(
  KIND,
  'List enabled secrets engines',
  `Usage: coffer secrets list [options]

  Lists the enabled secrets engines.`,
);
