import type { AuthBlock } from './request';
import type { TokenEntry } from './tokens';

// How a token entry appears on the wire: the auth block of a create/login/renew
// answer, and the data of auth/token/lookup*.

/** Vault's auth block for a freshly minted or renewed token. */
export function authBlockOf(e: TokenEntry, leaseDuration = e.ttl): AuthBlock {
  return {
    client_token: e.id,
    accessor: e.accessor,
    policies: e.policies,
    token_policies: e.policies,
    metadata: e.meta,
    lease_duration: leaseDuration,
    renewable: e.renewable,
    entity_id: e.entityId,
    token_type: e.type,
    orphan: e.orphan,
    mfa_requirement: null,
    num_uses: e.numUses,
  };
}

/** Vault's lookup data for a token. */
export function lookupDataOf(e: TokenEntry): Record<string, unknown> {
  const ttlLeft = e.expireTime ? Math.max(0, Math.floor((e.expireTime - Date.now()) / 1000)) : 0;
  return {
    accessor: e.accessor,
    creation_time: e.creationTime,
    creation_ttl: e.ttl,
    display_name: e.displayName,
    entity_id: e.entityId,
    expire_time: e.expireTime ? new Date(e.expireTime).toISOString() : null,
    explicit_max_ttl: e.explicitMaxTtl,
    id: e.id,
    issue_time: new Date(e.creationTime * 1000).toISOString(),
    last_renewal_time: e.lastRenewalTime,
    meta: e.meta,
    num_uses: e.numUses,
    orphan: e.orphan,
    path: e.path,
    period: e.period || undefined,
    policies: e.policies,
    renewable: e.renewable,
    role: e.role || undefined,
    ttl: ttlLeft,
    type: e.type,
  };
}
