import type { TokenEntry } from './tokens';

// Parsed service-token entries by token id, so a request costs neither the
// salted SHA-256 of its token nor a JSON parse of the stored entry. The token
// store drops an entry when storage says its key changed (storage-change bus:
// revoke, renew, orphaning, a replicated apply, a rolled-back commit), so a
// revoked token is refused by the very next request. Validity (expiry, uses)
// is still judged on every lookup from the entry itself; entries with a use
// limit are never cached, since every use rewrites them anyway.

/**
 * Bound of the cache. An entry (the TokenEntry object with its id, accessor,
 * policies and the 64-hex storage key, in both maps) costs about 1 KB of heap,
 * so a full cache holds about 10 MB. Past it the oldest entry goes (FIFO: a
 * miss costs one hash and one storage read, no worse than without a cache).
 */
export const TOKEN_CACHE_ENTRIES = 10_000;

export class TokenCache {
  private readonly byId = new Map<string, { entry: TokenEntry; key: string }>();
  /** Storage key (salted hash) → token id, to drop an entry when its key changes. */
  private readonly idByKey = new Map<string, string>();

  constructor(private readonly bound = TOKEN_CACHE_ENTRIES) {}

  /** The cached entry of token `id` (shared: callers must not mutate it). */
  get(id: string): TokenEntry | undefined {
    return this.byId.get(id)?.entry;
  }

  /** Cache `entry`, stored under salted `key`, unless it has a use limit. */
  set(id: string, key: string, entry: TokenEntry): void {
    if (entry.numUses !== 0) return;
    // Frozen, the policy list may key the compiled-ACL cache by identity (acl-cache.ts).
    Object.freeze(entry.policies);
    if (this.byId.size >= this.bound && !this.byId.has(id)) {
      const [oldId, old] = this.byId.entries().next().value!;
      this.byId.delete(oldId);
      this.idByKey.delete(old.key);
    }
    this.byId.set(id, { entry, key });
    this.idByKey.set(key, id);
  }

  /** Storage changed these salted keys (null: anything may have changed). */
  invalidate(keys: readonly string[] | null): void {
    if (keys === null) return this.clear();
    for (const key of keys) {
      const id = this.idByKey.get(key);
      if (id === undefined) continue;
      this.idByKey.delete(key);
      this.byId.delete(id);
    }
  }

  clear(): void {
    this.byId.clear();
    this.idByKey.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}
