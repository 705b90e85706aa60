import { randomUUID } from 'node:crypto';
import type { TtlLimits } from '../../core/token-ttl';
import { badRequest } from '../../errors';
import { cidrsWithin } from '../bound-cidrs';
import { parseDuration } from '../duration';
import { cidrList, intField } from '../token-fields';
import type { RoleEntry } from './role-store';
import type { SecretIdStore } from './secret-id-store';

// role/:name/secret-id and role/:name/custom-secret-id (vault approle
// handleRoleSecretIDCommon): the request may narrow the role's settings for
// this one secret-id, never widen them.

export function issueSecretId(role: RoleEntry, body: Record<string, unknown>, ids: SecretIdStore, limits: TtlLimits, custom: boolean): Record<string, unknown> {
  if (!role.bind_secret_id) throw badRequest('bind_secret_id is not set on the role');
  let secretId: string = randomUUID();
  if (custom) {
    if (typeof body.secret_id !== 'string' || body.secret_id.trim() === '') throw badRequest('missing secret_id');
    secretId = body.secret_id.trim();
  }
  const cidrs = body.cidr_list !== undefined ? cidrList(body.cidr_list, 'cidr_list') : [];
  if (role.secret_id_bound_cidrs.length > 0 && !cidrsWithin(cidrs, role.secret_id_bound_cidrs))
    throw badRequest(`failed to verify subset relationship between CIDR blocks on the role ${JSON.stringify(role.secret_id_bound_cidrs)} and CIDR blocks on the secret ID ${JSON.stringify(cidrs)}`);
  const tokenCidrs = body.token_bound_cidrs !== undefined ? cidrList(body.token_bound_cidrs, 'token_bound_cidrs') : [];
  if (role.token_bound_cidrs.length > 0 && !cidrsWithin(tokenCidrs, role.token_bound_cidrs))
    throw badRequest(`failed to verify subset relationship between the token CIDR blocks on the role ${JSON.stringify(role.token_bound_cidrs)} and CIDR blocks on the secret ID ${JSON.stringify(tokenCidrs)}`);

  let numUses = role.secret_id_num_uses;
  if (body.num_uses !== undefined) {
    numUses = intField(body, 'num_uses');
    if (numUses < 0) throw badRequest('num_uses cannot be negative');
    if (role.secret_id_num_uses > 0 && (numUses === 0 || numUses > role.secret_id_num_uses))
      throw badRequest("num_uses cannot be higher than the role's secret_id_num_uses");
  }
  let ttl = role.secret_id_ttl;
  if (body.ttl !== undefined) {
    ttl = parseDuration(body.ttl, 'ttl');
    if (role.secret_id_ttl > 0 && (ttl === 0 || ttl > role.secret_id_ttl)) throw badRequest("ttl cannot be longer than the role's secret_id_ttl");
  }
  // deriveSecretIDTTL: never past the mount's max lease TTL; 0 stays "never expires".
  if (ttl > limits.maxTtl) ttl = limits.maxTtl;

  const entry = ids.create(role, secretId, {
    secret_id_num_uses: numUses,
    secret_id_ttl: ttl,
    metadata: parseMetadata(body.metadata),
    cidr_list: cidrs,
    token_bound_cidrs: tokenCidrs,
  });
  return { secret_id: secretId, secret_id_accessor: entry.secret_id_accessor, secret_id_ttl: ttl, secret_id_num_uses: numUses };
}

/**
 * strutil.ParseArbitraryKeyValues: a JSON object (or its text, or its text in
 * base64) or "k1=v1,k2=v2"; values must be strings.
 */
export function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    value = tryJson(raw) ?? tryJson(Buffer.from(raw, 'base64').toString('utf8')) ?? keyValues(raw);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('failed to parse metadata: expected a JSON object or key=value pairs');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw badRequest(`failed to parse metadata: value of ${JSON.stringify(k)} is not a string`);
    out[k] = v;
  }
  return out;
}

function tryJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw badRequest(`failed to parse metadata: invalid key/value pair ${JSON.stringify(pair)}`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}
