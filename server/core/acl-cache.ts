import type { Acl } from './acl';

// Compiled ACLs by policy-name set (a token's policies), so a request neither
// re-reads and re-parses its policies nor recompiles their rules. The policy
// store clears it whenever any policy changes in storage (storage-change bus:
// a write, a delete, a replicated apply, a rolled-back commit), so the next
// request is judged by the new text.

/**
 * Bound of the cache. One entry is one compiled Acl (its rules' maps and
 * patterns: a few KB for typical policies) shared by every token with the same
 * policy set, so 1,000 distinct sets cost a few MB. Past it the oldest goes.
 */
export const ACL_CACHE_ENTRIES = 1_000;
const SEPARATOR = '\n';

export class AclCache {
  private readonly acls = new Map<string, Acl>();
  /**
   * The same ACLs by the identity of a frozen policy-name array: a cached token
   * entry's policies (token-cache.ts freezes them) find their ACL without
   * joining and hashing the names on every request. Frozen, so the array a
   * key stands for can never change under it; weak, so it costs no bound.
   */
  private byArray = new WeakMap<readonly string[], Acl>();

  constructor(private readonly bound = ACL_CACHE_ENTRIES) {}

  /**
   * The key of a policy-name set, in the token's order (the same set in another
   * order just takes a second entry); null when a name holds the separator: a
   * name may ("admin\naudit" passes a role's glob "a*"), and joined it would be
   * the key of ["admin", "audit"]. Such a set is compiled every time instead.
   */
  static keyOf(policies: readonly string[]): string | null {
    if (policies.some((p) => p.includes(SEPARATOR))) return null;
    return policies.length === 1 ? policies[0] : policies.join(SEPARATOR);
  }

  get(key: string | null): Acl | undefined {
    return key === null ? undefined : this.acls.get(key);
  }

  /** The ACL last stored for this very array, when it is frozen. */
  getByArray(policies: readonly string[]): Acl | undefined {
    return this.byArray.get(policies);
  }

  setByArray(policies: readonly string[], acl: Acl): void {
    if (Object.isFrozen(policies)) this.byArray.set(policies, acl);
  }

  set(key: string | null, acl: Acl): void {
    if (key === null) return;
    if (this.acls.size >= this.bound && !this.acls.has(key)) this.acls.delete(this.acls.keys().next().value!);
    this.acls.set(key, acl);
  }

  clear(): void {
    this.acls.clear();
    this.byArray = new WeakMap();
  }
}
