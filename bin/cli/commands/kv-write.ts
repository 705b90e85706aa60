// `coffer kv put|patch|delete|undelete|destroy|metadata delete`: KV writes,
// with v2's data envelope, check-and-set, and version-addressed deletes.
import type { Secret, VaultClient } from '../client';
import { ApiError, toSecret } from '../client';
import { UsageError, type FlagSpecs } from '../flags';
import { parseArgsData } from '../kv-args';
import { kvApiPath, type KvTarget } from '../kv-paths';
import { outputData, outputSecret, printRawField, type Format } from '../output';
import { headerForMap } from '../table';
import {
  clientFor,
  dataSources,
  EXIT_API,
  EXIT_USAGE,
  expectArgs,
  fail,
  formatFor,
  parse,
  type Command,
  type Ctx,
} from '../command';
import { KV_FLAGS, kvTarget, outputPath } from './kv-read';

const PUT_FLAGS = {
  ...KV_FLAGS,
  cas: { kind: 'int', usage: 'Write only if the current version equals this (0: only if absent). KV v2.' },
} as const satisfies FlagSpecs;

/** A KV write whose answer is printed as it comes (metadata, version operations): Vault's "Success! Data written to" when empty. */
export async function writeAndReport(ctx: Ctx, client: VaultClient, fullPath: string, body: Record<string, unknown>, format: Format): Promise<number> {
  let secret;
  try {
    secret = await client.write(fullPath, body);
  } catch (err) {
    return fail(ctx.ui, `Error writing data to ${fullPath}`, err);
  }
  if (!secret) {
    if (format === 'table') ctx.ui.out(`Success! Data written to: ${fullPath}`);
    return 0;
  }
  return outputSecret(ctx.ui, secret, format);
}

/** After a v2 write: the "Secret Path" banner and the new version's metadata. */
export function printWriteResult(ctx: Ctx, secret: Secret | null, fullPath: string, field: string | undefined, format: Format) {
  if (!secret) {
    if (format === 'table') ctx.ui.out(`Success! Data written to: ${fullPath}`);
    return 0;
  }
  if (field) return printRawField(ctx.ui, secret, field, format);
  if (secret.wrap_info?.ttl || format !== 'table') return outputSecret(ctx.ui, secret, format);
  outputPath(ctx.ui, fullPath, 'Secret Path');
  const metadata = secret.data ?? {};
  ctx.ui.out(headerForMap('Metadata', metadata));
  return outputData(ctx.ui, metadata, 'table');
}

async function target(ctx: Ctx, client: VaultClient, args: string[], mount: string | undefined) {
  return kvTarget(ctx, client, args[0], mount);
}

export const kvPutCommand: Command = {
  synopsis: 'Sets or updates data in the KV store',
  help: `Usage: coffer kv put [options] KEY [DATA]

  Writes DATA (k=v, k=@file, k=-, or "-" for JSON on stdin) at KEY. On KV v2
  this creates a new version; -cas guards against lost updates.

      $ coffer kv put secret/myapp foo=bar`,
  flags: PUT_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, PUT_FLAGS, ctx);
    expectArgs(args, 1, Infinity);
    if (args.length === 1) {
      ctx.ui.err('Must supply data');
      return EXIT_USAGE;
    }
    const format = formatFor(flags, ctx);
    const data = await parseArgsData(args.slice(1), dataSources(ctx));
    const client = clientFor(flags, ctx);
    const t = await target(ctx, client, args, flags.mount);
    if (typeof t === 'number') return t;
    const fullPath = kvApiPath(t, 'data');
    let body: Record<string, unknown> = data;
    if (t.mount.version === 2) {
      body = { data, options: flags.cas !== undefined && flags.cas > -1 ? { cas: flags.cas } : {} };
    }
    let secret;
    try {
      secret = await client.write(fullPath, body);
    } catch (err) {
      return fail(ctx.ui, `Error writing data to ${fullPath}`, err);
    }
    return printWriteResult(ctx, secret, fullPath, flags.field, format);
  },
};

const PATCH_FLAGS = {
  ...PUT_FLAGS,
  method: { kind: 'string', usage: 'patch (JSON merge patch) or rw (read, merge, write). Default: try patch, then rw.' },
} as const satisfies FlagSpecs;

async function mergePatch(client: VaultClient, fullPath: string, data: Record<string, unknown>, cas?: number) {
  const body = { data, options: cas !== undefined && cas > -1 ? { cas } : {} };
  const res = await client.request('PATCH', fullPath, {
    body,
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  return toSecret(res.body);
}

async function readThenWrite(client: VaultClient, fullPath: string, data: Record<string, unknown>, cas?: number) {
  const current = await client.read(fullPath);
  const existing = current?.data?.data;
  const meta = current?.data?.metadata as { version?: number } | undefined;
  if (!existing || typeof existing !== 'object' || !meta) throw new UsageError(`No value found at ${fullPath}`);
  const merged = { ...(existing as Record<string, unknown>), ...data };
  const version = cas !== undefined && cas > -1 ? cas : meta.version;
  return client.write(fullPath, { data: merged, options: version !== undefined ? { cas: version } : {} });
}

export const kvPatchCommand: Command = {
  synopsis: 'Sets or updates data in the KV store without overwriting',
  help: `Usage: coffer kv patch [options] KEY [DATA]

  Merges DATA into the latest version at KEY (KV v2 only).

      $ coffer kv patch secret/myapp bar=baz`,
  flags: PATCH_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, PATCH_FLAGS, ctx);
    expectArgs(args, 1, Infinity);
    if (args.length === 1) {
      ctx.ui.err('Must supply data');
      return EXIT_USAGE;
    }
    const method = flags.method ?? '';
    if (!['', 'patch', 'rw'].includes(method)) {
      ctx.ui.err(`Unsupported method provided to -method flag: ${method}`);
      return EXIT_API;
    }
    const format = formatFor(flags, ctx);
    const data = await parseArgsData(args.slice(1), dataSources(ctx));
    const client = clientFor(flags, ctx);
    const t = await target(ctx, client, args, flags.mount);
    if (typeof t === 'number') return t;
    if (t.mount.version !== 2) {
      ctx.ui.err('KV engine mount must be version 2 for patch support');
      return EXIT_API;
    }
    const fullPath = kvApiPath(t, 'data');
    let secret: Secret | null;
    try {
      if (method === 'rw') secret = await readThenWrite(client, fullPath, data, flags.cas);
      else {
        try {
          secret = await mergePatch(client, fullPath, data, flags.cas);
        } catch (err) {
          const fallback = method === '' && err instanceof ApiError && (err.status === 405 || err.status === 403);
          if (!fallback) throw err;
          secret = await readThenWrite(client, fullPath, data, flags.cas);
        }
      }
    } catch (err) {
      if (err instanceof UsageError) {
        ctx.ui.err(err.message);
        return EXIT_API;
      }
      return fail(ctx.ui, `Error writing data to ${fullPath}`, err);
    }
    return printWriteResult(ctx, secret, fullPath, flags.field, format);
  },
};

const VERSIONS_FLAGS = {
  ...KV_FLAGS,
  versions: { kind: 'list', usage: 'Versions to act on, comma separated or repeated.' },
} as const satisfies FlagSpecs;

export function parseVersions(values: readonly string[]): number[] {
  const out: number[] = [];
  for (const v of values.flatMap((s) => s.split(','))) {
    const t = v.trim();
    if (t === '') continue;
    if (!/^\d+$/.test(t)) throw new UsageError(`invalid version: ${t}`);
    out.push(Number(t));
  }
  return out;
}

export const kvDeleteCommand: Command = {
  synopsis: 'Deletes versions in the KV store',
  help: `Usage: coffer kv delete [options] KEY

  Soft-deletes the latest version of KEY, or the -versions given (KV v2).
  On KV v1 the key is removed.`,
  flags: VERSIONS_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, VERSIONS_FLAGS, ctx);
    expectArgs(args, 1);
    const versions = parseVersions(flags.versions);
    const client = clientFor(flags, ctx);
    const t = await target(ctx, client, args, flags.mount);
    if (typeof t === 'number') return t;
    let fullPath: string;
    try {
      if (t.mount.version === 2 && versions.length > 0) {
        fullPath = kvApiPath(t, 'delete');
        await client.write(fullPath, { versions });
      } else {
        fullPath = kvApiPath(t, 'data');
        await client.delete(fullPath);
      }
    } catch (err) {
      return fail(ctx.ui, `Error deleting ${kvApiPath(t, versions.length > 0 ? 'delete' : 'data')}`, err);
    }
    ctx.ui.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
    return 0;
  },
};

function versionedWriteCommand(op: 'undelete' | 'destroy', synopsis: string, help: string): Command {
  const title = op === 'undelete' ? 'Undelete' : 'Destroy';
  return {
    synopsis,
    help,
    flags: VERSIONS_FLAGS,
    async run(argv, ctx) {
      const { flags, args } = parse(argv, VERSIONS_FLAGS, ctx);
      expectArgs(args, 1);
      const versions = parseVersions(flags.versions);
      if (versions.length === 0) {
        ctx.ui.err(`No versions provided, use the "-versions" flag to specify the version to ${op}.`);
        return EXIT_USAGE;
      }
      const format = formatFor(flags, ctx);
      const client = clientFor(flags, ctx);
      const t = await target(ctx, client, args, flags.mount);
      if (typeof t === 'number') return t;
      if (t.mount.version !== 2) {
        ctx.ui.err(`${title} not supported on KV Version 1`);
        return EXIT_USAGE;
      }
      return writeAndReport(ctx, client, kvApiPath(t, op), { versions }, format);
    },
  };
}

export const kvUndeleteCommand = versionedWriteCommand(
  'undelete',
  'Undeletes versions in the KV store',
  `Usage: coffer kv undelete [options] -versions=N KEY

  Restores soft-deleted versions of KEY (KV v2).`,
);

export const kvDestroyCommand = versionedWriteCommand(
  'destroy',
  'Permanently removes one or more versions in the KV store',
  `Usage: coffer kv destroy [options] -versions=N KEY

  Permanently removes the data of the given versions of KEY (KV v2).`,
);

export const kvMetadataDeleteCommand: Command = {
  synopsis: 'Deletes all versions and metadata for a key in the KV store',
  help: `Usage: coffer kv metadata delete [options] KEY

  Removes KEY with all its versions and metadata (KV v2).`,
  flags: KV_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, KV_FLAGS, ctx);
    expectArgs(args, 1);
    const client = clientFor(flags, ctx);
    const t: KvTarget | number = await target(ctx, client, args, flags.mount);
    if (typeof t === 'number') return t;
    if (t.mount.version !== 2) {
      ctx.ui.err('Metadata not supported on KV Version 1');
      return EXIT_USAGE;
    }
    const fullPath = kvApiPath(t, 'metadata');
    try {
      await client.delete(fullPath);
    } catch (err) {
      return fail(ctx.ui, `Error deleting ${fullPath}`, err);
    }
    ctx.ui.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
    return 0;
  },
};
