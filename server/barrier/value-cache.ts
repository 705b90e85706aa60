import { isAscii } from 'node:buffer';

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
/** What one entry costs beyond its key and value: the Map slot and the string's header. */
export const ENTRY_OVERHEAD_BYTES = 200;

const costOf = (key: string, value: Cached | null) => key.length + (value?.bytes.length ?? 0) + ENTRY_OVERHEAD_BYTES;

/** A cached value: its bytes as a latin1 string; `ascii` when those bytes are ASCII, so the string is also their UTF-8 text. */
interface Cached {
  bytes: string;
  ascii: boolean;
}

export class ValueCache {
  /**
   * Values are kept as latin1 strings (one byte per character, so any bytes
   * round-trip) in V8's heap rather than as Buffers: each Buffer of its own is
   * a small malloc beside the decryption's short-lived ones, and a full cache
   * of 60,000 such entries cost ~98 MB of RSS for ~34 MB of data (the
   * allocator's fragmentation), as strings ~33 MB (issue 11, bench:kv-memory).
   */
  private readonly map = new Map<string, Cached | null>();
  private bytes = 0;

  constructor(private readonly bound = BARRIER_CACHE_BYTES) {}

  /** undefined: not cached; null: cached as absent. */
  get(key: string): Buffer | null | undefined {
    const v = this.map.get(key);
    return v ? Buffer.from(v.bytes, 'latin1') : v;
  }

  /** The value as UTF-8 text (what a JSON read parses): an ASCII value, the common case, with no copy at all. */
  getText(key: string): string | null | undefined {
    const v = this.map.get(key);
    if (!v) return v;
    return v.ascii ? v.bytes : Buffer.from(v.bytes, 'latin1').toString('utf8');
  }

  /** Keep a copy of `value` (never the Buffer itself: a small one is a slice of Node's shared 8 KB pool and would pin the slab). Past the bound the oldest entries go (FIFO). */
  set(key: string, value: Buffer | null): void {
    this.delete(key);
    const own = value === null ? null : { bytes: value.toString('latin1'), ascii: isAscii(value) };
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

