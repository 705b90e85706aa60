// The `user_lockout "<type>" { … }` stanzas of the server config, parsed for
// server/config.ts (vault internalshared/configutil/userlockout.go):
//
//   user_lockout "all"      { lockout_duration = "10m" lockout_counter_reset = "10m" }
//   user_lockout "userpass" { lockout_threshold = "25" disable_lockout = "true" }
//
// Values may be strings, as Vault's docs write them. A mount's tune overrides
// them field by field; core/user-lockout-config.ts has the precedence.
import { labelledBlocks } from './hcl';
import { parseBoolish, parseDurationMs } from './config-values';
import type { UserLockoutConfig, UserLockoutDefaults } from './core/user-lockout-config';

type ErrFn = (msg: string) => Error;

const TYPES = new Set(['all', 'userpass', 'ldap', 'approle']);
const KEYS = new Set(['lockout_threshold', 'lockout_duration', 'lockout_counter_reset', 'disable_lockout']);

export function parseUserLockouts(value: unknown, err: ErrFn): UserLockoutDefaults | undefined {
  if (value === undefined) return undefined;
  const blocks = labelledBlocks(value);
  if (!blocks) throw err('user_lockout must be a labelled block: user_lockout "all" { … }');
  const out: UserLockoutDefaults = {};
  for (const { label, body } of blocks) {
    const where = `user_lockout "${label}"`;
    if (!TYPES.has(label)) throw err(`${where}: unsupported auth type in a user lockout configuration (use all, userpass, ldap or approle)`);
    if (out[label]) throw err(`${where}: defined more than once`);
    for (const key of Object.keys(body)) if (!KEYS.has(key)) throw err(`${where}: unknown key "${key}"`);
    const entry: Partial<UserLockoutConfig> = {};
    if (body.lockout_threshold !== undefined) {
      const v = body.lockout_threshold;
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw err(`${where}: lockout_threshold must be a whole number, got ${JSON.stringify(v)}`);
      entry.lockout_threshold = n;
    }
    for (const key of ['lockout_duration', 'lockout_counter_reset'] as const) {
      if (body[key] === undefined) continue;
      const ms = parseDurationMs(body[key]);
      if (ms === undefined) throw err(`${where}: ${key} must be a duration such as "15m", got ${JSON.stringify(body[key])}`);
      entry[key] = Math.floor(ms / 1000);
    }
    if (body.disable_lockout !== undefined) {
      const b = parseBoolish(body.disable_lockout);
      if (b === undefined) throw err(`${where}: disable_lockout must be true or false, got ${JSON.stringify(body.disable_lockout)}`);
      entry.disable_lockout = b;
    }
    out[label] = entry;
  }
  return out;
}
