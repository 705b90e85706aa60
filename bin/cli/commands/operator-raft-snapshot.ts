// `coffer operator raft snapshot save FILE` and `… restore [-force] FILE`:
// sys/storage/raft/snapshot(-force). The file is Coffer's snapshot format
// (server/storage/snapshot-format.ts): every entry still sealed, so it is as
// safe to store as the data file itself.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { clientFor, EXIT_OK, EXIT_USAGE, expectArgs, fail, parse, type Command } from '../command';

export const operatorRaftSnapshotSaveCommand: Command = {
  synopsis: 'Saves a snapshot of the current state of the storage',
  help: `Usage: coffer operator raft snapshot save [options] FILE

  Saves a snapshot of the current state of the cluster's storage into FILE:
  every secret, policy, token and mount, still encrypted by the barrier.

      $ coffer operator raft snapshot save coffer.snap`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1);
    let bytes: Buffer;
    try {
      bytes = (await clientFor(flags, ctx).request('GET', 'sys/storage/raft/snapshot')).bytes;
    } catch (err) {
      return fail(ctx.ui, 'Error taking the snapshot', err);
    }
    // Written beside the target, then renamed: a failed save never leaves half a snapshot under FILE.
    const tmp = `${args[0]}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, bytes, { mode: 0o600 });
      renameSync(tmp, args[0]);
    } catch (err) {
      ctx.ui.err(`Error writing snapshot file: ${(err as Error).message}`);
      return EXIT_USAGE;
    }
    return EXIT_OK;
  },
};

const RESTORE_FLAGS = {
  ...COMMON_FLAGS,
  force: { kind: 'bool', usage: 'Install a snapshot taken under other unseal keys; the node is then sealed until unsealed with those keys.' },
} as const satisfies FlagSpecs;

export const operatorRaftSnapshotRestoreCommand: Command = {
  synopsis: 'Installs the provided snapshot, returning the cluster to the state defined in it',
  help: `Usage: coffer operator raft snapshot restore [options] FILE

  Installs the snapshot in FILE, returning the cluster to the state it holds.
  Replication secondaries follow the restored primary. A snapshot taken on
  another cluster (other unseal keys) needs -force; this node is then sealed
  and opens with that cluster's unseal keys.

      $ coffer operator raft snapshot restore coffer.snap`,
  flags: RESTORE_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, RESTORE_FLAGS, ctx);
    expectArgs(args, 1);
    let file: Buffer;
    try {
      file = readFileSync(args[0]);
    } catch (err) {
      ctx.ui.err(`Error opening snapshot file: ${(err as Error).message}`);
      return EXIT_USAGE;
    }
    try {
      const res = await clientFor(flags, ctx).request('POST', `sys/storage/raft/snapshot${flags.force ? '-force' : ''}`, { rawBody: file });
      for (const w of (res.body?.warnings as string[] | undefined) ?? []) ctx.ui.err(`WARNING! ${w}`);
    } catch (err) {
      return fail(ctx.ui, 'Error installing the snapshot', err);
    }
    return EXIT_OK;
  },
};
