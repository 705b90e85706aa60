import { badRequest } from '../errors';
import type { TokenEntry, TokenStore } from './tokens';

// Leases (vault/expiration.go), as far as Coffer has them. No engine here
// issues dynamic secrets: KV v1 answers with a TTL hint and no lease, as in
// Vault, and transit and AppRole secret-ids are not leased. What Vault leases
// that Coffer has is tokens: every expiring service token is an auth lease
// whose id is its creation path plus its salted storage key
// ("auth/token/create/3f2a…"). So the token store is the lease store; this
// view gives it Vault's lease vocabulary and never keeps a second copy.

export interface LeaseView {
  id: string;
  issue_time: string;
  expire_time: string | null;
  last_renewal: string | null;
  renewable: boolean;
  ttl: number;
}

const leaseIdOf = (tokens: TokenStore, e: TokenEntry) => `${e.path}/${tokens.keyOf(e)}`;
/** Root tokens without a TTL (and batch tokens, never stored) hold no lease, as in Vault. */
const leased = (e: TokenEntry | null): e is TokenEntry => Boolean(e && e.type === 'service' && e.expireTime && e.numUses >= 0);

export class TokenLeases {
  constructor(private readonly tokens: TokenStore) {}

  /** The token behind a lease id, or null when no such lease. */
  private find(leaseId: string): TokenEntry | null {
    const slash = leaseId.lastIndexOf('/');
    if (slash <= 0) return null;
    const e = this.tokens.entryByKey(leaseId.slice(slash + 1));
    return leased(e) && e.path === leaseId.slice(0, slash) ? e : null;
  }

  private all(): { id: string; entry: TokenEntry }[] {
    const out: { id: string; entry: TokenEntry }[] = [];
    for (const key of this.tokens.storedKeys()) {
      const e = this.tokens.entryByKey(key);
      if (leased(e)) out.push({ id: `${e.path}/${key}`, entry: e });
    }
    return out;
  }

  lookup(leaseId: string, now = Date.now()): LeaseView {
    const e = this.find(leaseId);
    if (!e) throw badRequest('invalid lease');
    const expired = e.expireTime <= now;
    return {
      id: leaseIdOf(this.tokens, e),
      issue_time: new Date(e.creationTime * 1000).toISOString(),
      expire_time: new Date(e.expireTime).toISOString(),
      last_renewal: e.lastRenewalTime ? new Date(e.lastRenewalTime * 1000).toISOString() : null,
      renewable: e.renewable && !expired,
      ttl: Math.max(0, Math.round((e.expireTime - now) / 1000)),
    };
  }

  /** One level of lease ids under `prefix`, folders ending in "/" (LIST sys/leases/lookup/:prefix). */
  list(rawPrefix: string): string[] {
    const prefix = rawPrefix && !rawPrefix.endsWith('/') ? rawPrefix + '/' : rawPrefix;
    const keys = new Set<string>();
    for (const { id } of this.all()) {
      if (!id.startsWith(prefix)) continue;
      const rest = id.slice(prefix.length);
      const slash = rest.indexOf('/');
      keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...keys].sort();
  }

  /**
   * sys/leases/renew. Vault checks the lease first (unknown, expired, not
   * renewable), then refuses token leases: those renew through auth/token/renew.
   */
  renew(leaseId: string, now = Date.now()): never {
    const e = this.find(leaseId);
    if (!e) throw badRequest('lease not found');
    if (e.expireTime <= now) throw badRequest('lease expired');
    if (!e.renewable) throw badRequest('lease is not renewable');
    throw badRequest('tokens cannot be renewed through this endpoint');
  }

  /** sys/leases/revoke: revoking a token lease revokes the token and its children. Unknown: nothing to do. */
  revoke(leaseId: string): void {
    const e = this.find(leaseId);
    if (e) this.tokens.revoke(e);
  }

  /** revoke-prefix / revoke-force: an exact lease id, or every lease under the prefix as a folder. */
  revokePrefix(rawPrefix: string): number {
    if (rawPrefix && !rawPrefix.endsWith('/') && this.find(rawPrefix)) {
      this.revoke(rawPrefix);
      return 1;
    }
    const prefix = rawPrefix && !rawPrefix.endsWith('/') ? rawPrefix + '/' : rawPrefix;
    let n = 0;
    for (const { id } of this.all()) {
      if (!id.startsWith(prefix)) continue;
      // A parent revoked earlier in this loop took its children with it.
      const e = this.find(id);
      if (!e) continue;
      this.tokens.revoke(e);
      n++;
    }
    return n;
  }

  /** Leases whose revocation failed for good (Vault's irrevocable leases): token revocation never ends that way here. */
  irrevocableCounts(): { lease_count: number; counts: Record<string, number> } {
    return { lease_count: 0, counts: {} };
  }

  irrevocableList(): { lease_count: number; leases: { lease_id: string; mount_id: string; error: string }[] } {
    return { lease_count: 0, leases: [] };
  }
}
