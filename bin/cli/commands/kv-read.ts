// `coffer kv get|list|metadata get`: KV reads that hide the v2 "data/" and
// "metadata/" path segments and print Vault's sectioned layout.
import type { Secret, VaultClient } from '../client';
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { kvApiPath, resolveKvTarget, type KvTarget } from '../kv-paths';
import { outputData, outputSecret, printRawField, printWarnings, type Format } from '../output';
import { headerForMap, padEqualSigns } from '../table';
import type { Ui } from '../ui';
import { clientFor, EXIT_API, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command, type Ctx } from '../command';
import { printListResult } from './path-ops';

export const KV_FLAGS = {
  ...COMMON_FLAGS,
  mount: { kind: 'string', usage: 'KV mount path; the argument is then the key inside it.' },
} as const satisfies FlagSpecs;

/** Finds the mount, printing the discovery error Vault-style (bare message, exit 2). */
export async function kvTarget(
  ctx: Ctx,
  client: VaultClient,
  arg: string,
  mount: string | undefined,
): Promise<KvTarget | number> {
  try {
    return await resolveKvTarget(client, arg, mount);
  } catch (err) {
    ctx.ui.err((err as Error).message);
    return EXIT_API;
  }
}

/** "== Secret Path ==" then the path and a blank line. */
export function outputPath(ui: Ui, path: string, title: string): void {
  ui.out(padEqualSigns(title, path.length));
  ui.out(path);
  ui.out('');
}

function printKvSecret(ui: Ui, secret: Secret, fullPath: string, v2: boolean, format: Format): number {
  if (secret.wrap_info || format !== 'table') return outputSecret(ui, secret, format);
  printWarnings(ui, secret.warnings);
  if (v2) outputPath(ui, fullPath, 'Secret Path');
  const metadata = secret.data?.metadata;
  if (v2 && metadata && typeof metadata === 'object') {
    ui.out(headerForMap('Metadata', metadata as Record<string, unknown>));
    outputData(ui, metadata, 'table');
    ui.out('');
  }
  const data = v2 ? secret.data?.data : secret.data;
  if (data && typeof data === 'object') {
    ui.out(headerForMap('Data', data as Record<string, unknown>));
    outputData(ui, data, 'table');
  }
  return 0;
}

const GET_FLAGS = {
  ...KV_FLAGS,
  version: { kind: 'int', usage: 'Read this version instead of the latest (KV v2).' },
} as const satisfies FlagSpecs;

export const kvGetCommand: Command = {
  synopsis: 'Retrieves data from the KV store',
  help: `Usage: coffer kv get [options] KEY

  Reads the value at KEY. On KV v2, -version reads an older version.

      $ coffer kv get secret/myapp
      $ coffer kv get -version=1 -field=foo secret/myapp`,
  flags: GET_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, GET_FLAGS, ctx);
    expectArgs(args, 1);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    const target = await kvTarget(ctx, client, args[0], flags.mount);
    if (typeof target === 'number') return target;
    const v2 = target.mount.version === 2;
    const fullPath = kvApiPath(target, 'data');
    const query = v2 && flags.version && flags.version > 0 ? { version: String(flags.version) } : undefined;
    let secret;
    try {
      secret = await client.read(fullPath, query);
    } catch (err) {
      return fail(ctx.ui, `Error reading ${fullPath}`, err);
    }
    if (!secret) {
      ctx.ui.err(`No value found at ${fullPath}`);
      return EXIT_API;
    }
    if (flags.field) {
      if (!v2) return printRawField(ctx.ui, secret, flags.field, format);
      const data = secret.data?.data;
      if (!data || typeof data !== 'object') {
        ctx.ui.err(`No data found at ${fullPath}`);
        return EXIT_API;
      }
      const map = data as Record<string, unknown>;
      if (flags.field === 'data' && !('data' in map)) return printRawField(ctx.ui, secret, 'data', format);
      return printRawField(ctx.ui, map, flags.field, format, false);
    }
    return printKvSecret(ctx.ui, secret, fullPath, v2, format);
  },
};

export const kvListCommand: Command = {
  synopsis: 'List data or secrets',
  help: `Usage: coffer kv list [options] PATH

  Lists the keys under PATH in a KV store.`,
  flags: KV_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, KV_FLAGS, ctx);
    expectArgs(args, 1);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    const target = await kvTarget(ctx, client, args[0], flags.mount);
    if (typeof target === 'number') return target;
    const fullPath = kvApiPath(target, 'metadata') + '/';
    let secret;
    try {
      secret = await client.list(fullPath);
    } catch (err) {
      return fail(ctx.ui, `Error listing ${fullPath}`, err);
    }
    return printListResult(ctx, secret, fullPath, format);
  },
};

export const kvMetadataGetCommand: Command = {
  synopsis: 'Retrieves key metadata from the KV store',
  help: `Usage: coffer kv metadata get [options] KEY

  Prints the metadata of KEY and of each of its versions (KV v2 only).`,
  flags: KV_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, KV_FLAGS, ctx);
    expectArgs(args, 1);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    const target = await kvTarget(ctx, client, args[0], flags.mount);
    if (typeof target === 'number') return target;
    if (target.mount.version !== 2) {
      ctx.ui.err('Metadata not supported on KV Version 1');
      return EXIT_USAGE;
    }
    const fullPath = kvApiPath(target, 'metadata');
    let secret;
    try {
      secret = await client.read(fullPath);
    } catch (err) {
      return fail(ctx.ui, `Error reading ${fullPath}`, err);
    }
    if (!secret) {
      ctx.ui.err(`No value found at ${fullPath}`);
      return EXIT_API;
    }
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);
    if (secret.wrap_info || format !== 'table') return outputSecret(ctx.ui, secret, format);

    const { versions, ...rest } = (secret.data ?? {}) as Record<string, unknown>;
    if (!versions || typeof versions !== 'object') {
      ctx.ui.err(`No value found at ${fullPath}`);
      outputSecret(ctx.ui, secret, format);
      return EXIT_API;
    }
    outputPath(ctx.ui, fullPath, 'Metadata Path');
    ctx.ui.out(headerForMap('Metadata', rest));
    outputSecret(ctx.ui, { ...secret, data: rest }, format);
    const byVersion = versions as Record<string, Record<string, unknown>>;
    for (const v of Object.keys(byVersion).map(Number).sort((a, b) => a - b)) {
      ctx.ui.out('\n' + headerForMap(`Version ${v}`, byVersion[String(v)]));
      outputData(ctx.ui, byVersion[String(v)], 'table');
    }
    return 0;
  },
};
