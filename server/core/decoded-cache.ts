import type { Barrier } from '../barrier/barrier';
import { sealedError } from '../errors';

// Decoded JSON values by full storage key, one cache per barrier, shared by
// every StorageView over it. It exists for the KV v2 write path: a write reads
// the secret's metadata (to decide create vs update, check cas, add the
// version) right after the previous write of that secret dropped it from the
// barrier's plaintext cache, so without this every write paid a SELECT, an
// AES-GCM open and a JSON.parse for a value this node wrote itself. Owners put
// what they just committed (keep) and read it back decoded (get).
//
// Invalidation is the storage change bus, as for the barrier's cache: any
// change of a key — this node's, replicated, a wipe — drops it, and `null` (a
// rolled-back group commit) drops everything. Values are shared: callers must
// not mutate what get() returns. Only non-secret structure belongs here (KV
// metadata and config), and a sealed barrier empties it on the next access.

/** Entries kept (FIFO). A KV v2 metadata record decodes to about 0.5–2 KB, so ~8–32 MB at worst. */
export const DECODED_CACHE_ENTRIES = 16_384;

export class DecodedCache {
  private readonly map = new Map<string, unknown>();

  constructor(
    private readonly barrier: Barrier,
    private readonly bound = DECODED_CACHE_ENTRIES,
  ) {
    barrier.physical.changes.subscribe(
      '',
      (keys) => {
        if (keys === null) this.map.clear();
        else for (const k of keys) this.map.delete(k);
      },
      'cache',
    );
  }

  /** undefined: not cached. Throws while sealed, as the barrier would. */
  get<T>(key: string): T | null | undefined {
    this.unsealed();
    return this.map.get(key) as T | null | undefined;
  }

  /** Keep `value` as the decoded form of what `key` now holds (call after the write that stored it). */
  keep(key: string, value: unknown): void {
    this.unsealed();
    this.map.delete(key);
    if (this.map.size >= this.bound) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }

  private unsealed(): void {
    if (!this.barrier.sealed) return;
    this.map.clear();
    throw sealedError();
  }
}

const caches = new WeakMap<Barrier, DecodedCache>();

/** The one decoded cache of this barrier (one change-bus subscription per barrier, however often mounts are rebuilt). */
export function decodedCacheOf(barrier: Barrier): DecodedCache {
  let c = caches.get(barrier);
  if (!c) caches.set(barrier, (c = new DecodedCache(barrier)));
  return c;
}
