// `coffer operator rekey`: new unseal keys from a quorum of the current ones
// (sys/rekey/*, Vault's operator_rekey.go). -init starts an attempt with the
// new -key-shares / -key-threshold, each call then gives one current key,
// and the last one prints the new keys once. Only this cluster's unseal keys
// change: its performance and DR secondaries keep their own seal.
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { PromptCanceled } from '../input';
import { toJson, type Format } from '../output';
import { columnize, wrapAtLength } from '../table';
import type { Ui } from '../ui';
import { UNAUTHENTICATED, type VaultClient } from '../client';
import { clientFor, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command, type Ctx } from '../command';

export const DEFAULT_KEY_SHARES = 5;
export const DEFAULT_KEY_THRESHOLD = 3;
const INIT = 'sys/rekey/init';
const UPDATE = 'sys/rekey/update';

const FLAGS = {
  ...COMMON_FLAGS,
  init: { kind: 'bool', usage: 'Start a rekey; only one may run at a time.' },
  cancel: { kind: 'bool', usage: 'Discard the rekey in progress and the keys given to it.' },
  status: { kind: 'bool', usage: 'Print the progress of the current attempt.' },
  'key-shares': { kind: 'int', aliases: ['n'], usage: `Number of new key shares (default ${DEFAULT_KEY_SHARES}).` },
  'key-threshold': { kind: 'int', aliases: ['t'], usage: `Shares needed to unseal (default ${DEFAULT_KEY_THRESHOLD}).` },
  nonce: { kind: 'string', usage: 'Nonce of the attempt (default: the one in progress).' },
  target: { kind: 'string', usage: '"barrier" (the unseal keys). Coffer has no recovery keys.' },
  'pgp-keys': { kind: 'list', usage: 'Not supported by Coffer: the new keys are printed in clear.' },
  backup: { kind: 'bool', usage: 'Not supported by Coffer (needs -pgp-keys).' },
  verify: { kind: 'bool', usage: 'Not supported by Coffer.' },
} as const satisfies FlagSpecs;

export interface RekeyStatus {
  nonce?: string;
  started?: boolean;
  t?: number;
  n?: number;
  progress?: number;
  required?: number;
  verification_required?: boolean;
  complete?: boolean;
  keys?: string[];
  keys_base64?: string[];
}

export function rekeyStatusRows(s: RekeyStatus): string[][] {
  const rows = [
    ['Key', 'Value'],
    ['---', '-----'],
    ['Nonce', s.nonce ?? ''],
    ['Started', String(s.started ?? false)],
  ];
  if (s.started) {
    rows.push(['Rekey Progress', `${s.progress ?? 0}/${s.required ?? 0}`]);
    rows.push(['New Shares', String(s.n ?? 0)]);
    rows.push(['New Threshold', String(s.t ?? 0)]);
    rows.push(['Verification Required', String(s.verification_required ?? false)]);
  }
  return rows;
}

function printStatus(ui: Ui, s: RekeyStatus, format: Format): number {
  if (format === 'json') ui.out(toJson(s));
  else ui.out(columnize(rekeyStatusRows(s)));
  return 0;
}

/** The new keys, then Vault's reminder of what they are for. */
export function printNewKeys(ui: Ui, r: RekeyStatus, config: { n: number; t: number }, format: Format): number {
  if (format === 'json') {
    ui.out(toJson(r));
    return 0;
  }
  (r.keys ?? []).forEach((k, i) => ui.out(`Key ${i + 1}: ${k}`));
  ui.out('');
  ui.out(`Operation nonce: ${r.nonce ?? ''}`);
  ui.out('');
  ui.out(
    wrapAtLength(
      `Coffer rekeyed with ${config.n} key shares and a key threshold of ${config.t}. Please ` +
        'securely distribute the key shares printed above. When Coffer is re-sealed, restarted, ' +
        `or stopped, you must supply at least ${config.t} of these keys to unseal it before it ` +
        'can start servicing requests. Secondaries of this cluster keep their own unseal keys.',
    ),
  );
  return 0;
}

async function getStatus(client: VaultClient): Promise<RekeyStatus> {
  return ((await client.request('GET', INIT, UNAUTHENTICATED)).body ?? {}) as RekeyStatus;
}

async function provide(ctx: Ctx, client: VaultClient, keyArg: string | undefined, nonceFlag: string | undefined, format: Format) {
  let status: RekeyStatus;
  try {
    status = await getStatus(client);
  } catch (err) {
    return fail(ctx.ui, 'Error getting rekey status', err);
  }
  if (!status.started) {
    ctx.ui.err(wrapAtLength('No rekey is in progress. Start a rekey process by running "coffer operator rekey -init".'));
    return EXIT_USAGE;
  }
  const nonce = nonceFlag || status.nonce || '';
  let key: string;
  try {
    if (keyArg === '-') key = await ctx.input.readAll();
    else if (keyArg !== undefined) key = keyArg;
    else {
      ctx.ui.out(`Rekey operation nonce: ${nonce}`);
      key = await ctx.input.readSecret('Unseal Key (will be hidden): ', (t) => ctx.ui.raw(t));
    }
  } catch (err) {
    if (err instanceof PromptCanceled) {
      ctx.ui.err('user canceled');
      return EXIT_USAGE;
    }
    throw err;
  }
  let updated: RekeyStatus;
  try {
    updated = ((await client.request('PUT', UPDATE, { ...UNAUTHENTICATED, body: { key: key.trim(), nonce } })).body ?? {}) as RekeyStatus;
  } catch (err) {
    return fail(ctx.ui, 'Error posting unseal key', err);
  }
  if (!updated.complete) {
    try {
      return printStatus(ctx.ui, await getStatus(client), format);
    } catch (err) {
      return fail(ctx.ui, 'Error getting rekey status', err);
    }
  }
  return printNewKeys(ctx.ui, updated, { n: status.n ?? 0, t: status.t ?? 0 }, format);
}

export const operatorRekeyCommand: Command = {
  synopsis: 'Generates new unseal keys',
  help: `Usage: coffer operator rekey [options] [KEY]

  Generates a new set of unseal keys. This can optionally change the total
  number of key shares or the required threshold of those key shares to
  reconstruct the root key. This operation is zero downtime, but it requires
  the server to be unsealed and a quorum of existing unseal keys. Only this
  cluster's unseal keys change; its secondaries keep their own.

  A key may be given as the argument, "-" reads it from stdin, and without
  one it is prompted for (hidden on a terminal).

      $ coffer operator rekey -init -key-shares=15 -key-threshold=9
      $ coffer operator rekey
      $ coffer operator rekey -status
      $ coffer operator rekey -cancel`,
  flags: FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, FLAGS, ctx);
    expectArgs(args, 0, 1);
    const format = formatFor(flags, ctx);
    const target = (flags.target ?? 'barrier').toLowerCase();
    if (target === 'recovery') {
      ctx.ui.err('Recovery keys exist only with an auto-unseal seal; Coffer uses Shamir unseal keys (-target=barrier).');
      return EXIT_USAGE;
    }
    if (target !== 'barrier') {
      ctx.ui.err(`Unknown target: ${flags.target}`);
      return EXIT_USAGE;
    }
    const modes = [flags.init, flags.cancel, flags.status].filter(Boolean).length;
    if (modes > 1) {
      ctx.ui.err('Only one of -init, -cancel or -status may be given');
      return EXIT_USAGE;
    }
    const client = clientFor(flags, ctx);
    if (flags.init) {
      expectArgs(args, 0);
      const body: Record<string, unknown> = {
        secret_shares: flags['key-shares'] ?? DEFAULT_KEY_SHARES,
        secret_threshold: flags['key-threshold'] ?? DEFAULT_KEY_THRESHOLD,
        pgp_keys: flags['pgp-keys'].length > 0 ? flags['pgp-keys'].flatMap((k) => k.split(',')) : undefined,
        backup: flags.backup,
        require_verification: flags.verify,
      };
      try {
        const status = ((await client.request('PUT', INIT, { ...UNAUTHENTICATED, body })).body ?? {}) as RekeyStatus;
        return printStatus(ctx.ui, status, format);
      } catch (err) {
        return fail(ctx.ui, 'Error initializing rekey', err);
      }
    }
    if (flags.cancel) {
      expectArgs(args, 0);
      try {
        await client.request('DELETE', INIT, UNAUTHENTICATED);
      } catch (err) {
        return fail(ctx.ui, 'Error canceling rekey', err);
      }
      ctx.ui.out('Success! Canceled rekeying (if it was started)');
      return 0;
    }
    if (flags.status) {
      expectArgs(args, 0);
      try {
        return printStatus(ctx.ui, await getStatus(client), format);
      } catch (err) {
        return fail(ctx.ui, 'Error reading rekey status', err);
      }
    }
    return provide(ctx, client, args[0], flags.nonce, format);
  },
};
