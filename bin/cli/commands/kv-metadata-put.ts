// `coffer kv metadata put`: a KV v2 key's settings (max versions, CAS
// requirement, version expiry, custom metadata). Only flags given are sent,
// so the others keep their stored values (Vault's kv_metadata_put.go).
import { UsageError, type FlagSpecs } from '../flags';
import { kvApiPath } from '../kv-paths';
import { clientFor, EXIT_USAGE, expectArgs, formatFor, parse, type Command } from '../command';
import { KV_FLAGS, kvTarget } from './kv-read';
import { writeAndReport } from './kv-write';

const FLAGS = {
  ...KV_FLAGS,
  'max-versions': { kind: 'int', usage: 'Number of versions to keep (0: the mount setting).' },
  'cas-required': { kind: 'bool', usage: 'Every write must carry -cas.' },
  'delete-version-after': { kind: 'string', usage: 'Delete each version this long after it is written, e.g. "3h25m19s" (0s: never).' },
  'custom-metadata': { kind: 'list', usage: 'key=value metadata kept with the key; repeatable.' },
} as const satisfies FlagSpecs;

/** The request body for the flags given. */
export function metadataPutBody(
  flags: { 'max-versions'?: number; 'cas-required': boolean; 'delete-version-after'?: string; 'custom-metadata': string[] },
  seen: Set<string>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags['max-versions'] !== undefined && flags['max-versions'] >= 0) body.max_versions = flags['max-versions'];
  if (seen.has('cas-required')) body.cas_required = flags['cas-required'];
  if (flags['delete-version-after'] !== undefined) body.delete_version_after = flags['delete-version-after'];
  if (flags['custom-metadata'].length > 0) {
    const custom: Record<string, string> = {};
    for (const kv of flags['custom-metadata']) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`invalid custom metadata "${kv}": expected key=value`);
      custom[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    body.custom_metadata = custom;
  }
  return body;
}

export const kvMetadataPutCommand: Command = {
  synopsis: 'Sets or updates key settings in the KV store',
  help: `Usage: coffer kv metadata put [options] KEY

  Creates a blank key in the KV store or updates its settings (KV v2).

      $ coffer kv metadata put -max-versions=5 secret/foo
      $ coffer kv metadata put -cas-required secret/foo
      $ coffer kv metadata put -custom-metadata=owner=ops secret/foo`,
  flags: FLAGS,
  async run(argv, ctx) {
    const { flags, args, seen } = parse(argv, FLAGS, ctx);
    expectArgs(args, 1);
    const format = formatFor(flags, ctx);
    const body = metadataPutBody(flags, seen);
    const client = clientFor(flags, ctx);
    const t = await kvTarget(ctx, client, args[0], flags.mount);
    if (typeof t === 'number') return t;
    if (t.mount.version !== 2) {
      ctx.ui.err('Metadata not supported on KV Version 1');
      return EXIT_USAGE;
    }
    return writeAndReport(ctx, client, kvApiPath(t, 'metadata'), body, format);
  },
};
