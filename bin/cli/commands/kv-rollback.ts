// `coffer kv rollback -version=N KEY`: writes version N's data again as the
// newest version, guarded by check-and-set on the current version so a write
// in between is not lost (Vault's kv_rollback.go).
import type { FlagSpecs } from '../flags';
import { kvApiPath } from '../kv-paths';
import { clientFor, EXIT_API, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command } from '../command';
import { KV_FLAGS, kvTarget } from './kv-read';
import { printWriteResult } from './kv-write';

const FLAGS = {
  ...KV_FLAGS,
  version: { kind: 'int', usage: 'The version to roll back to.' },
} as const satisfies FlagSpecs;

interface VersionMeta {
  deletion_time?: string;
  destroyed?: boolean;
}

/** Why version N cannot be rolled back to, or null when it can. */
export function rollbackRefusal(version: number, versions: Record<string, VersionMeta> | undefined): string | null {
  const meta = versions?.[String(version)];
  if (!meta) return `Failed to find version ${version} in metadata`;
  if (meta.destroyed) return 'Cannot roll back to a version that has been destroyed';
  if (meta.deletion_time) return 'Cannot roll back to a version that has been deleted';
  return null;
}

export const kvRollbackCommand: Command = {
  synopsis: 'Rolls back to a previous version of data',
  help: `Usage: coffer kv rollback [options] KEY

  Restores a given previous version to the current version at the given path.
  The value is written as a new version; for instance, if the current version
  is 5 and the rollback version is 2, the data from version 2 will become
  version 6 (KV v2).

      $ coffer kv rollback -version=2 secret/foo`,
  flags: FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, FLAGS, ctx);
    expectArgs(args, 1);
    const version = flags.version ?? 0;
    if (version <= 0) {
      ctx.ui.err('Must specify a version to rollback to');
      return EXIT_USAGE;
    }
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    const t = await kvTarget(ctx, client, args[0], flags.mount);
    if (typeof t === 'number') return t;
    if (t.mount.version !== 2) {
      ctx.ui.err('Rollback not supported on KV Version 1');
      return EXIT_USAGE;
    }
    const metaPath = kvApiPath(t, 'metadata');
    const dataPath = kvApiPath(t, 'data');
    let meta;
    try {
      meta = await client.read(metaPath);
    } catch (err) {
      return fail(ctx.ui, `Error doing pre-read at ${metaPath}`, err);
    }
    if (!meta?.data) {
      ctx.ui.err(`No value found at ${metaPath}`);
      return EXIT_API;
    }
    const current = Number(meta.data.current_version ?? 0);
    const refusal = rollbackRefusal(version, meta.data.versions as Record<string, VersionMeta> | undefined);
    if (refusal) {
      ctx.ui.err(refusal);
      return EXIT_API;
    }
    let old;
    try {
      old = await client.read(dataPath, { version: String(version) });
    } catch (err) {
      return fail(ctx.ui, `Error reading ${dataPath}`, err);
    }
    const data = old?.data?.data;
    if (!data || typeof data !== 'object') {
      ctx.ui.err(`No value found at ${dataPath}`);
      return EXIT_API;
    }
    let secret;
    try {
      secret = await client.write(dataPath, { data, options: { cas: current } });
    } catch (err) {
      return fail(ctx.ui, `Error writing data to ${dataPath}`, err);
    }
    return printWriteResult(ctx, secret, dataPath, flags.field, format);
  },
};
