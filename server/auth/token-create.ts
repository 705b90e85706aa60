import type { Core } from '../core/core';
import type { Request, Response } from '../core/request';
import { authBlockOf, type TokenEntry } from '../core/tokens';
import { badRequest, permissionDenied } from '../errors';
import { bool, int, str, strList } from '../engines/sys/respond';
import { parseDuration } from './duration';
import { childPolicies } from './token-policy-rules';
import { policyRuleOf, type TokenRole } from './token-roles';

// auth/token/create, create-orphan and create/:role (vault/token_store.go
// handleCreateCommon). Policies come from childPolicies alone; the checks here
// are the other privileges Vault's token docs tie to sudo or root: orphans
// (no_parent), periodic tokens and custom ids.
const DISPLAY_NAME_UNSAFE = /[^a-zA-Z0-9-]/g;

const optDuration = (data: Record<string, unknown>, field: string) => (data[field] !== undefined ? parseDuration(data[field], field) : 0);
const lesser = (asked: number, fromRole: number) => (asked && fromRole ? Math.min(asked, fromRole) : asked || fromRole);

/** `ttl`, or else the legacy `lease` field Vault still honours (token_store.go handleCreateCommon). */
function requestedTtl(data: Record<string, unknown>): number {
  if (data.ttl !== undefined && data.ttl !== null && data.ttl !== '') return optDuration(data, 'ttl');
  if (data.lease === undefined || data.lease === null || data.lease === '') return 0;
  return parseDuration(data.lease, 'lease');
}

function tokenType(requested: string, role: TokenRole | undefined): 'service' | 'batch' {
  let t = requested;
  if (role?.token_type === 'service' || role?.token_type === 'batch') t = role.token_type;
  else if (role?.token_type === 'default-batch' && !t) t = 'batch';
  if (t === '' || t === 'service') return 'service';
  if (t === 'batch') return 'batch';
  throw badRequest(`invalid 'type' value "${requested}"`);
}

function displayName(data: Record<string, unknown>): string {
  const name = str(data, 'display_name');
  return name ? ('token-' + name).replace(DISPLAY_NAME_UNSAFE, '-').replace(/-+$/, '') : 'token';
}

export function createToken(core: Core, req: Request, data: Record<string, unknown>, opts: { orphan?: boolean; role?: TokenRole }): Response {
  const parent = core.tokens.lookup(req.caller?.tokenId ?? '', { tainted: true });
  if (!parent) throw permissionDenied();
  if (parent.type === 'batch') throw badRequest('batch tokens cannot create more tokens');
  // Otherwise a child could outlive its parent's use count.
  if (parent.numUses !== 0) throw badRequest('restricted use token cannot generate child tokens');
  const role = opts.role;
  const parentRoot = parent.policies.includes('root');
  const sudo = parentRoot || core.policies.aclFor(parent.policies).allows(req.path, 'sudo');

  const type = tokenType(str(data, 'type'), role);
  const numUses = int(data, 'num_uses', 0);
  if (numUses < 0) throw badRequest('number of uses cannot be negative');
  const explicitMaxTtl = optDuration(data, 'explicit_max_ttl');
  const period = optDuration(data, 'period');
  if (type === 'batch') {
    const bad = explicitMaxTtl ? 'explicit_max_ttl' : numUses ? 'num_uses' : period ? 'period' : '';
    if (bad) throw badRequest(`batch tokens cannot have "${bad}" set`);
  }
  if (period && !sudo) throw badRequest('root or sudo privileges required to create periodic token');
  const id = str(data, 'id');
  if (id && !sudo) throw badRequest('root or sudo privileges required to specify token id');

  const policies = childPolicies(
    { policies: parent.policies, sudo },
    { policies: strList(data, 'policies'), noDefaultPolicy: bool(data, 'no_default_policy') },
    role ? policyRuleOf(role) : null,
  );
  if (type === 'batch' && policies.includes('root')) throw badRequest('batch tokens cannot be root tokens');

  let orphan = opts.orphan ?? false;
  if (role) orphan = role.orphan;
  else if (bool(data, 'no_parent')) {
    if (!sudo) throw badRequest('root or sudo privileges required to create orphan token');
    orphan = true;
  }

  const warnings: string[] = [];
  const finalExplicitMax = role && type !== 'batch' ? lesser(explicitMaxTtl, role.token_explicit_max_ttl) : explicitMaxTtl;
  const finalPeriod = role && type !== 'batch' ? lesser(period, role.token_period) : period;
  if (role && explicitMaxTtl && role.token_explicit_max_ttl)
    warnings.push(`Explicit max TTL specified both during creation call and in role; using the lesser value of ${finalExplicitMax} seconds`);
  if (role && period && role.token_period) warnings.push(`Period specified both during creation call and in role; using the lesser value of ${finalPeriod} seconds`);
  const ttl = requestedTtl(data) || role?.token_ttl || 0;
  const roleUses = role?.token_num_uses ?? 0;
  const finalUses = roleUses && (numUses === 0 || roleUses < numUses) ? roleUses : numUses;

  if (policies.includes('root') && !ttl && !finalPeriod && !finalExplicitMax && parent.expireTime)
    throw badRequest('expiring root tokens cannot create non-expiring root tokens');
  if (id) warnings.push('Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups.');

  const entry: TokenEntry = core.tokens.create({
    policies,
    noDefaultPolicy: true, // childPolicies already decided about `default`
    path: role?.path_suffix ? `${req.path}/${role.path_suffix}` : req.path,
    displayName: displayName(data),
    meta: (data.meta as Record<string, string>) ?? null,
    ttl,
    explicitMaxTtl: finalExplicitMax,
    period: finalPeriod,
    numUses: finalUses,
    renewable: bool(data, 'renewable', true) && (role?.renewable ?? true),
    parent: orphan ? null : parent,
    orphan,
    type,
    role: role?.name,
    id: id || undefined,
    entityId: orphan ? '' : parent.entityId,
  });
  return { auth: authBlockOf(entry), ...(warnings.length ? { warnings } : {}) };
}
