import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import { Acl } from './acl';
import { AclCache } from './acl-cache';
import { DEFAULT_POLICY_HCL, parsePolicy, type Policy } from './policy';

// ACL policies stored as their HCL text under sys/policy/ (class
// `replicated`), parsed once when written or first read.
const PREFIX = 'sys/policy/';
const IMMUTABLE = new Set(['root', 'response-wrapping']);
const ROOT_ACL = new Acl([], { root: true });

export class PolicyStore {
  private readonly cache = new Map<string, Policy>();
  /** Compiled ACLs by policy-name set, cleared on any policy change (acl-cache.ts). */
  private readonly acls = new AclCache();

  constructor(private readonly barrier: Barrier) {
    // Policies change under us by replication too: drop what was parsed from the old text.
    barrier.physical.changes.subscribe(PREFIX, (keys) => {
      if (keys === null) this.cache.clear();
      else for (const k of keys) this.cache.delete(k.slice(PREFIX.length));
      this.acls.clear();
    });
  }

  /** Write the default policy if missing (at init). */
  ensureDefault(): void {
    if (!this.barrier.get(PREFIX + 'default')) this.set('default', DEFAULT_POLICY_HCL);
  }

  get(name: string): Policy | null {
    const key = name.toLowerCase();
    const raw = this.barrier.getJSON<{ policy: string }>(PREFIX + key);
    if (!raw) {
      this.cache.delete(key);
      return null;
    }
    const cached = this.cache.get(key);
    if (cached && cached.raw === raw.policy) return cached;
    const parsed = parsePolicy(key, raw.policy);
    this.cache.set(key, parsed);
    return parsed;
  }

  set(name: string, text: string): void {
    const key = name.toLowerCase();
    if (IMMUTABLE.has(key)) throw badRequest(`cannot update "${key}" policy`);
    const parsed = parsePolicy(key, text); // throws on bad HCL: nothing is stored
    this.barrier.putJSON(PREFIX + key, { policy: text });
    this.cache.set(key, parsed);
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    if (key === 'default') throw badRequest('cannot delete "default" policy');
    if (IMMUTABLE.has(key)) throw badRequest(`cannot delete "${key}" policy`);
    this.barrier.delete(PREFIX + key);
    this.cache.delete(key);
  }

  list(): string[] {
    return [...this.barrier.list(PREFIX).filter((k) => !k.endsWith('/')), 'root'].sort();
  }

  /** The ACL for a token's policies; unknown policy names are skipped, as in Vault. */
  aclFor(policies: readonly string[]): Acl {
    // No storage read on a hit: the bus subscription above clears the cache on any policy change.
    const same = this.acls.getByArray(policies);
    if (same) return same;
    if (policies.includes('root')) return ROOT_ACL;
    const key = AclCache.keyOf(policies);
    const acl = this.acls.get(key) ?? new Acl(policies.map((p) => this.get(p)).filter((p): p is Policy => p !== null));
    this.acls.set(key, acl);
    this.acls.setByArray(policies, acl);
    return acl;
  }
}
