// What every subcommand shares: its context (ui, stdin, environment), the
// parsed flags, an API client built from those flags, and Vault's conventions
// for argument counts and exit codes (0 ok, 1 usage/local error, 2 server error).
import { ApiError, resolveConfig, VaultClient, type HttpFlagValues } from './client';
import { COMMON_FLAGS, parseFlags, UsageError, type FlagSpecs, type ParsedFlags } from './flags';
import type { Input } from './input';
import { ConnectionError } from './transport';
import type { Env } from './token-store';
import type { Ui } from './ui';
import { resolveFormat, toJson, type Format } from './output';
import { fileSources, type DataSources } from './kv-args';

export interface Ctx {
  ui: Ui;
  input: Input;
  env: Env;
}

export interface Command {
  synopsis: string;
  /** First line "Usage: coffer ..." then a short description. */
  help: string;
  flags: FlagSpecs;
  run(args: string[], ctx: Ctx): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_API = 2;

/** Parses flags and prints Vault's warning about flags after positionals. */
export function parse<S extends FlagSpecs>(argv: string[], specs: S, ctx: Ctx): ParsedFlags<S> {
  const parsed = parseFlags(argv, specs);
  if (parsed.warning) ctx.ui.err(parsed.warning);
  return parsed;
}

export function clientFor(flags: HttpFlagValues, ctx: Ctx): VaultClient {
  return new VaultClient(resolveConfig(flags, ctx.env));
}

export function formatFor(flags: { format?: string }, ctx: Ctx): Format {
  return resolveFormat(flags.format, ctx.env);
}

/** Vault's "Not enough arguments (expected 1, got 0)" family. */
export function expectArgs(args: readonly string[], min: number, max = min): void {
  const expected = min === max ? `${min}` : max === Infinity ? `>${min - 1}` : `${min}-${max}`;
  if (args.length < min) throw new UsageError(`Not enough arguments (expected ${expected}, got ${args.length})`);
  if (args.length > max) throw new UsageError(`Too many arguments (expected ${expected}, got ${args.length})`);
}

/** Prints "<prefix>: <error>" for server and network failures and returns 2. */
export function fail(ui: Ui, prefix: string, err: unknown): number {
  if (err instanceof UsageError) throw err;
  const message =
    err instanceof ApiError || err instanceof ConnectionError || err instanceof Error ? err.message : String(err);
  ui.err(`${prefix}: ${message}`);
  return EXIT_API;
}

/** Where `k=@file` and `-` data come from for this invocation. */
export function dataSources(ctx: Ctx): DataSources {
  return fileSources(() => ctx.input.readAll());
}

/** Request data used as query parameters (read/delete with K=V). */
export function toQuery(data: Record<string, unknown>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) q[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return q;
}

/** What a read command prints in table format: its text, or an error line (exit 2). */
export type ReadOutput = string | { error: string };

export interface ReadSpec {
  /** Positional arguments the command takes (default none). */
  args?: number;
  request: (args: string[]) => { path: string; query?: Record<string, string>; passStatuses?: number[] };
  /** "Error reading …": printed before the server's or network's error. */
  error: string;
  /** A body that holds nothing to print, in any format: the error line (exit 2). */
  missing?: (body: any, args: string[]) => string | undefined;
  /** What -format=json prints (default: the whole body). */
  json?: (body: any) => unknown;
  table: (body: any, args: string[]) => ReadOutput;
}

/** The shape Vault's read-only commands share (list-peers, members, drill list): one GET, JSON or a table. */
export async function runRead(argv: string[], ctx: Ctx, spec: ReadSpec): Promise<number> {
  const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
  expectArgs(args, spec.args ?? 0);
  const { path, ...opts } = spec.request(args);
  let body;
  try {
    body = (await clientFor(flags, ctx).request('GET', path, opts)).body;
  } catch (err) {
    return fail(ctx.ui, spec.error, err);
  }
  const missing = spec.missing?.(body, args);
  if (missing) {
    ctx.ui.err(missing);
    return EXIT_API;
  }
  if (formatFor(flags, ctx) === 'json') {
    ctx.ui.out(toJson(spec.json ? spec.json(body) : body));
    return EXIT_OK;
  }
  const out = spec.table(body, args);
  if (typeof out !== 'string') {
    ctx.ui.err(out.error);
    return EXIT_API;
  }
  ctx.ui.out(out);
  return EXIT_OK;
}
