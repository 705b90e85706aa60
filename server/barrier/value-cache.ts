// The barrier's decrypted values by storage key, bounded by the bytes they
// hold rather than by a count, so the bound says what it costs: a node with
// 100,000 secrets does not grow past it, and 10,000 keys × their metadata and
// versions (about 20,000–40,000 small entries) fit whole, so rotating reads
// over them do not thrash a FIFO that is one entry too small.

/**
 * Bound of the cache in estimated bytes (plaintext, key and per-entry
 * overhead). 32 MiB holds about 60,000 entries of a 200 B secret's size.
 */
export const BARRIER_CACHE_BYTES = 32 * 1024 * 1024;
/** What one entry costs beyond its key and value: the Map slot, the Buffer object and its backing store's header. */
export const ENTRY_OVERHEAD_BYTES = 200;

const costOf = (key: string, value: Buffer | null) => key.length + (value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;

export class ValueCache {
  private readonly map = new Map<string, Buffer | null>();
  private bytes = 0;

  constructor(private readonly bound = BARRIER_CACHE_BYTES) {}

  /** undefined: not cached; null: cached as absent. */
  get(key: string): Buffer | null | undefined {
    return this.map.get(key);
  }

  /**
   * Keep `value` (copied into its own exact-size memory: a small Buffer is a
   * slice of Node's shared 8 KB pool, and keeping one would pin the whole
   * slab). Past the bound the oldest entries go (FIFO).
   */
  set(key: string, value: Buffer | null): void {
    this.delete(key);
    const own = value === null ? null : Buffer.from(copyOut(value));
    const cost = costOf(key, own);
    if (cost > this.bound) return;
    while (this.bytes + cost > this.bound) {
      const [oldKey, old] = this.map.entries().next().value!;
      this.map.delete(oldKey);
      this.bytes -= costOf(oldKey, old);
    }
    this.map.set(key, own);
    this.bytes += cost;
  }

  delete(key: string): void {
    if (!this.map.has(key)) return;
    this.bytes -= costOf(key, this.map.get(key)!);
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes held. */
  get held(): number {
    return this.bytes;
  }
}

/** An ArrayBuffer of exactly `b`'s bytes (never a pool slab). */
function copyOut(b: Buffer): ArrayBuffer {
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return ab;
}
