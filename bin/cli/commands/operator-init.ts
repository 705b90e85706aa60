// `coffer operator init`: create the root key, split it into unseal key
// shares, and print them with the initial root token.
import { UNAUTHENTICATED } from '../client';
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { toJson } from '../output';
import { wrapAtLength } from '../table';
import { clientFor, EXIT_API, expectArgs, fail, formatFor, parse, type Command } from '../command';

export const DEFAULT_KEY_SHARES = 5;
export const DEFAULT_KEY_THRESHOLD = 3;

const INIT_FLAGS = {
  ...COMMON_FLAGS,
  'key-shares': { kind: 'int', aliases: ['n'], usage: `Number of unseal key shares (default ${DEFAULT_KEY_SHARES}).` },
  'key-threshold': { kind: 'int', aliases: ['t'], usage: `Shares needed to unseal (default ${DEFAULT_KEY_THRESHOLD}).` },
  status: { kind: 'bool', usage: 'Only report whether the server is initialized (exit 0 yes, 2 no).' },
} as const satisfies FlagSpecs;

interface InitResponse {
  keys?: string[];
  keys_base64?: string[];
  root_token?: string;
}

export function initText(resp: InitResponse, shares: number, threshold: number): string {
  const keys = resp.keys_base64 && resp.keys_base64.length === (resp.keys ?? []).length ? resp.keys_base64 : (resp.keys ?? []);
  const lines = keys.map((k, i) => `Unseal Key ${i + 1}: ${k}`);
  lines.push('', `Initial Root Token: ${resp.root_token ?? ''}`);
  if (keys.length === 0) {
    lines.push('', 'Success! Vault is initialized');
    return lines.join('\n');
  }
  lines.push(
    '',
    wrapAtLength(
      `Coffer initialized with ${shares} key shares and a key threshold of ${threshold}. ` +
        'Hand each key share printed above to a different trusted holder. Whenever ' +
        `the server is sealed, restarted or stopped, ${threshold} of these shares must ` +
        'be entered again before it answers requests.',
    ),
    '',
    wrapAtLength(
      `Coffer keeps no copy of the root key. If fewer than ${threshold} shares survive, ` +
        'the root key cannot be rebuilt and the data stays sealed for good.',
    ),
    '',
    wrapAtLength(
      'A quorum of the current shares can later produce a fresh set of unseal keys ' +
        '(rekeying), so a lost share can be replaced while enough remain.',
    ),
  );
  return lines.join('\n');
}

export const operatorInitCommand: Command = {
  synopsis: 'Initializes a server',
  help: `Usage: coffer operator init [options]

  Initializes a new server: generates the root key, splits it into unseal key
  shares and prints them with the initial root token. Runs once per cluster.

      $ coffer operator init -key-shares=5 -key-threshold=3`,
  flags: INIT_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, INIT_FLAGS, ctx);
    expectArgs(args, 0);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    if (flags.status) {
      let initialized: boolean;
      try {
        initialized = (await client.request('GET', 'sys/init', UNAUTHENTICATED)).body?.initialized === true;
      } catch (err) {
        return fail(ctx.ui, 'Error checking init status', err);
      }
      ctx.ui.out(initialized ? 'Vault is initialized' : 'Vault is not initialized');
      return initialized ? 0 : EXIT_API;
    }
    const shares = flags['key-shares'] ?? DEFAULT_KEY_SHARES;
    const threshold = flags['key-threshold'] ?? DEFAULT_KEY_THRESHOLD;
    let resp: InitResponse;
    try {
      const body = { secret_shares: shares, secret_threshold: threshold };
      resp = ((await client.request('PUT', 'sys/init', { ...UNAUTHENTICATED, body })).body ?? {}) as InitResponse;
    } catch (err) {
      return fail(ctx.ui, 'Error initializing', err);
    }
    if (format === 'json') {
      ctx.ui.out(
        toJson({
          unseal_keys_b64: resp.keys_base64 ?? [],
          unseal_keys_hex: resp.keys ?? [],
          unseal_shares: shares,
          unseal_threshold: threshold,
          recovery_keys_b64: [],
          recovery_keys_hex: [],
          recovery_keys_shares: 0,
          recovery_keys_threshold: 0,
          root_token: resp.root_token ?? '',
        }),
      );
      return 0;
    }
    ctx.ui.out(initText(resp, shares, threshold));
    return 0;
  },
};
