// Vault's flag grammar (Go's `flag` package): single or double dash,
// `-name=value` or `-name value`, booleans as bare `-force` or `-force=false`,
// parsing stops at the first positional argument, a lone `-` or `--`.
// node:util parseArgs does not fit: it treats `-format=json` as a cluster of
// short options, has no "stop at first positional" mode that keeps `-` as
// data, and cannot express Go's bool-only `=value` rule. So: a small parser.

export type FlagKind = 'bool' | 'string' | 'int' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  /** Other names for the same flag, e.g. `f` for `force`. */
  aliases?: readonly string[];
  usage?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

type ValueOf<K extends FlagKind> = K extends 'bool'
  ? boolean
  : K extends 'int'
    ? number | undefined
    : K extends 'list'
      ? string[]
      : string | undefined;

export type FlagValues<S extends FlagSpecs> = { [N in keyof S]: ValueOf<S[N]['kind']> };

export interface ParsedFlags<S extends FlagSpecs> {
  flags: FlagValues<S>;
  /** Names (canonical) given explicitly on the command line. */
  seen: Set<string>;
  args: string[];
  /** Vault's warning when something flag-like follows a positional argument. */
  warning?: string;
}

/** A bad command line: print the message and usage, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `-h`, `-help` or `--help` was given. */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

export function parseBool(name: string, raw: string): boolean {
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw new UsageError(`invalid boolean value "${raw}" for -${name}: parse error`);
}

export function parseFlags<S extends FlagSpecs>(argv: readonly string[], specs: S): ParsedFlags<S> {
  const byName = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(name, name);
    for (const a of spec.aliases ?? []) byName.set(a, name);
  }

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    values[name] = spec.kind === 'bool' ? false : spec.kind === 'list' ? [] : undefined;
  }
  const seen = new Set<string>();

  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.length < 2 || arg[0] !== '-') break;
    let body = arg.slice(arg[1] === '-' ? 2 : 1);
    if (body === '' || body[0] === '-' || body[0] === '=') throw new UsageError(`bad flag syntax: ${arg}`);
    let inline: string | undefined;
    const eq = body.indexOf('=');
    if (eq >= 0) {
      inline = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
    if (body === 'h' || body === 'help') throw new HelpRequested();
    const name = byName.get(body);
    if (!name) throw new UsageError(`flag provided but not defined: -${body}`);
    const spec = specs[name];
    seen.add(name);

    if (spec.kind === 'bool') {
      values[name] = inline === undefined ? true : parseBool(body, inline);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${body}`);
      raw = argv[++i];
    }
    if (spec.kind === 'int') {
      if (!/^[-+]?\d+$/.test(raw)) throw new UsageError(`invalid value "${raw}" for flag -${body}: parse error`);
      values[name] = Number.parseInt(raw, 10);
    } else if (spec.kind === 'list') {
      (values[name] as string[]).push(raw);
    } else {
      values[name] = raw;
    }
  }

  const args = argv.slice(i);
  const trailing = args.filter((a) => a.startsWith('-') && a !== '-' && a.length > 1);
  const warning =
    trailing.length > 0
      ? 'Command flags must be provided before positional arguments. ' +
        `The following arguments will not be parsed as flags: [${trailing.join(',')}]`
      : undefined;

  return { flags: values as FlagValues<S>, seen, args, warning };
}

/** Flags every HTTP-speaking command accepts (Vault's FlagSetHTTP). */
export const HTTP_FLAGS = {
  address: { kind: 'string', usage: 'Address of the Coffer server.' },
  'ca-cert': { kind: 'string', usage: 'Path to a PEM CA certificate used to verify the server.' },
  'tls-skip-verify': { kind: 'bool', usage: 'Disable verification of TLS certificates.' },
  namespace: { kind: 'string', aliases: ['ns'], usage: 'Namespace sent as X-Vault-Namespace.' },
  'wrap-ttl': { kind: 'string', usage: 'Wrap the response in a cubbyhole token with this TTL.' },
} as const satisfies FlagSpecs;

/** Vault's FlagSetOutputField + FlagSetOutputFormat. */
export const OUTPUT_FLAGS = {
  format: { kind: 'string', usage: 'Output format: table or json.' },
  field: { kind: 'string', usage: 'Print only this field, raw.' },
} as const satisfies FlagSpecs;

export const COMMON_FLAGS = { ...HTTP_FLAGS, ...OUTPUT_FLAGS } as const satisfies FlagSpecs;

/** Renders the flag list for help text. */
export function flagHelp(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const arg = spec.kind === 'bool' ? '' : spec.kind === 'int' ? '=<int>' : '=<string>';
      return `  -${name}${arg}\n      ${spec.usage ?? ''}`.trimEnd();
    })
    .join('\n\n');
}
