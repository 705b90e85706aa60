// `disable` and `list` are the same for auth methods (sys/auth) and secrets
// engines (sys/mounts); only the table and the wording differ.
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { sanitizePath } from '../kv-paths';
import { mountsFromBody, mountTable } from '../mount-table';
import { outputData } from '../output';
import { clientFor, expectArgs, fail, formatFor, parse, type Command } from '../command';

export interface MountKind {
  /** API table: 'sys/auth' or 'sys/mounts'. */
  table: string;
  /** "auth method" / "secrets engine", in messages. */
  noun: string;
  /** Vault's wording of the list error. */
  listError: string;
}

const LIST_FLAGS = {
  ...COMMON_FLAGS,
  detailed: { kind: 'bool', usage: 'Show TTLs, replication and options too.' },
} as const satisfies FlagSpecs;

export function mountDisableCommand(kind: MountKind, synopsis: string, help: string): Command {
  return {
    synopsis,
    help,
    flags: COMMON_FLAGS,
    async run(argv, ctx) {
      const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
      expectArgs(args, 1);
      const path = sanitizePath(args[0]) + '/';
      try {
        await clientFor(flags, ctx).delete(`${kind.table}/${path.slice(0, -1)}`);
      } catch (err) {
        return fail(ctx.ui, `Error disabling ${kind.noun} at ${path}`, err);
      }
      ctx.ui.out(`Success! Disabled the ${kind.noun} (if it existed) at: ${path}`);
      return 0;
    },
  };
}

export function mountListCommand(kind: MountKind, synopsis: string, help: string): Command {
  return {
    synopsis,
    help,
    flags: LIST_FLAGS,
    async run(argv, ctx) {
      const { flags, args } = parse(argv, LIST_FLAGS, ctx);
      expectArgs(args, 0);
      const format = formatFor(flags, ctx);
      let mounts;
      try {
        mounts = mountsFromBody((await clientFor(flags, ctx).request('GET', kind.table)).body);
      } catch (err) {
        return fail(ctx.ui, kind.listError, err);
      }
      if (format === 'json') return outputData(ctx.ui, mounts, format);
      ctx.ui.out(mountTable(mounts, flags.detailed));
      return 0;
    },
  };
}
