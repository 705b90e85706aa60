import type { AuthResult } from '../core/request';
import { badRequest } from '../errors';
import { isCidr } from './bound-cidrs';
import { parseDuration } from './duration';

// The token_* fields every auth method's user or role record carries (vault
// sdk/helper/tokenutil: TokenFields, ParseTokenFields, PopulateTokenData,
// PopulateTokenAuth). Each method names the deprecated fields it still takes
// (tokenutil.UpgradeValue); reads echo a deprecated name the record was written with.

export const TOKEN_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'] as const;
export type TokenTypeSetting = (typeof TOKEN_TYPES)[number];

/** Deprecated request field → the token_* field it sets. */
const LEGACY_FIELDS = {
  policies: 'token_policies',
  ttl: 'token_ttl',
  max_ttl: 'token_max_ttl',
  bound_cidrs: 'token_bound_cidrs',
  period: 'token_period',
} as const;
export type LegacyField = keyof typeof LEGACY_FIELDS;

export interface TokenFields {
  token_policies: string[];
  token_ttl: number;
  token_max_ttl: number;
  token_explicit_max_ttl: number;
  token_period: number;
  token_num_uses: number;
  token_type: TokenTypeSetting;
  token_bound_cidrs: string[];
  token_no_default_policy?: boolean;
  /** Deprecated names the record was configured with; reads echo them as Vault does. */
  legacy: LegacyField[];
}

export function defaultTokenFields(): TokenFields {
  return {
    token_policies: [],
    token_ttl: 0,
    token_max_ttl: 0,
    token_explicit_max_ttl: 0,
    token_period: 0,
    token_num_uses: 0,
    token_type: 'default',
    token_bound_cidrs: [],
    token_no_default_policy: false,
    legacy: [],
  };
}

/** Set only token_policies (or its deprecated alias), as a `…/policies` sub-path does. */
export function applyTokenPolicies(entry: TokenFields, body: Record<string, unknown>, legacy: readonly LegacyField[]): void {
  pickLegacy(entry, body, 'token_policies', legacy, (v) => (entry.token_policies = commaList(v, 'token_policies')));
}

/** ParseTokenFields: apply what the body sets, then check the combination. */
export function applyTokenFields(entry: TokenFields, body: Record<string, unknown>, legacy: readonly LegacyField[]): void {
  applyTokenPolicies(entry, body, legacy);
  pickLegacy(entry, body, 'token_ttl', legacy, (v) => (entry.token_ttl = parseDuration(v, 'token_ttl')));
  pickLegacy(entry, body, 'token_max_ttl', legacy, (v) => (entry.token_max_ttl = parseDuration(v, 'token_max_ttl')));
  pickLegacy(entry, body, 'token_period', legacy, (v) => (entry.token_period = parseDuration(v, 'token_period')));
  pickLegacy(entry, body, 'token_bound_cidrs', legacy, (v) => (entry.token_bound_cidrs = cidrList(v, 'token_bound_cidrs')));
  if (body.token_explicit_max_ttl !== undefined) entry.token_explicit_max_ttl = parseDuration(body.token_explicit_max_ttl, 'token_explicit_max_ttl');
  if (body.token_num_uses !== undefined) {
    const n = intField(body, 'token_num_uses');
    if (n < 0) throw badRequest("'token_num_uses' cannot be negative");
    entry.token_num_uses = n;
  }
  if (body.token_type !== undefined) {
    if (!TOKEN_TYPES.includes(body.token_type as TokenTypeSetting)) throw badRequest(`invalid 'token_type' value ${JSON.stringify(body.token_type)}`);
    entry.token_type = body.token_type as TokenTypeSetting;
  }
  if (body.token_no_default_policy !== undefined) entry.token_no_default_policy = boolField(body, 'token_no_default_policy');
  const batch = entry.token_type.endsWith('batch');
  if (batch && entry.token_period !== 0) throw badRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens");
  if (batch && entry.token_num_uses !== 0) throw badRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count");
  if (entry.token_max_ttl !== 0 && entry.token_ttl > entry.token_max_ttl) throw badRequest("'token_ttl' cannot be greater than 'token_max_ttl'");
}

/** PopulateTokenData: the token_* fields of a read, plus any deprecated name in use. */
export function tokenFieldsData(entry: TokenFields): Record<string, unknown> {
  const data: Record<string, unknown> = {
    token_bound_cidrs: entry.token_bound_cidrs,
    token_explicit_max_ttl: entry.token_explicit_max_ttl,
    token_max_ttl: entry.token_max_ttl,
    token_no_default_policy: entry.token_no_default_policy ?? false,
    token_num_uses: entry.token_num_uses,
    token_period: entry.token_period,
    token_policies: entry.token_policies,
    token_ttl: entry.token_ttl,
    token_type: entry.token_type,
  };
  for (const old of entry.legacy) data[old] = data[LEGACY_FIELDS[old]];
  return data;
}

/** PopulateTokenAuth: what the core needs to mint the login's token. */
export function tokenAuthOf(entry: TokenFields): Omit<AuthResult, 'displayName'> {
  return {
    policies: [...entry.token_policies],
    ttl: entry.token_ttl,
    // AuthResult has no max TTL: both caps end the token's life, so pass the tighter one.
    explicitMaxTtl: minSet(entry.token_explicit_max_ttl, entry.token_max_ttl),
    period: entry.token_period,
    numUses: entry.token_num_uses,
    renewable: true,
    tokenType: entry.token_type.endsWith('batch') ? 'batch' : entry.token_type.endsWith('service') ? 'service' : undefined,
    ...(entry.token_no_default_policy ? { noDefaultPolicy: true } : {}),
  };
}

/** Apply either the token_* field or its deprecated alias (never both), remembering the alias for reads. */
function pickLegacy(entry: TokenFields, body: Record<string, unknown>, current: string, legacy: readonly LegacyField[], apply: (v: unknown) => void): void {
  const old = legacy.find((l) => LEGACY_FIELDS[l] === current);
  const hasNew = body[current] !== undefined;
  const hasOld = old !== undefined && body[old] !== undefined;
  if (hasNew && hasOld) throw badRequest(`cannot set both "${current}" and "${old}"`);
  if (!hasNew && !hasOld) return;
  apply(hasNew ? body[current] : body[old!]);
  if (old === undefined) return;
  entry.legacy = entry.legacy.filter((l) => l !== old);
  if (hasOld) entry.legacy.push(old);
}

/** Vault's TypeCommaStringSlice: "a, b" or ["a","b"]; trimmed, empties and duplicates dropped. */
export function commaList(v: unknown, field: string): string[] {
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (!items || !items.every((i) => typeof i === 'string' || typeof i === 'number'))
    throw badRequest(`invalid value for "${field}": expected a comma-separated string or a list of strings, got ${JSON.stringify(v)}`);
  return [...new Set(items.map((i) => String(i).trim()).filter((i) => i !== ''))];
}

/** A comma list of CIDR blocks or addresses (parseutil.ParseAddrs). */
export function cidrList(v: unknown, field: string): string[] {
  const list = commaList(v, field);
  for (const c of list) if (!isCidr(c)) throw badRequest(`invalid value for "${field}": ${JSON.stringify(c)} is not an IP address or CIDR block`);
  return list;
}

/** Vault's TypeInt with weak decoding: 3 or "3" (negative allowed; callers bound it). */
export function intField(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`invalid value for "${field}": expected an integer, got ${JSON.stringify(v)}`);
  return n;
}

const TRUE = new Set(['1', 't', 'true']);
const FALSE = new Set(['0', 'f', 'false']);

/** Vault's TypeBool with weak decoding (strconv.ParseBool spellings). */
export function boolField(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string' && TRUE.has(v.trim().toLowerCase())) return true;
  if (typeof v === 'string' && FALSE.has(v.trim().toLowerCase())) return false;
  throw badRequest(`invalid value for "${field}": expected a boolean, got ${JSON.stringify(v)}`);
}

function minSet(...values: number[]): number {
  const set = values.filter((v) => v > 0);
  return set.length ? Math.min(...set) : 0;
}
