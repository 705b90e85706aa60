import type { Barrier } from '../barrier/barrier';
import { decodedCacheOf } from './decoded-cache';

// A prefix-scoped view of the barrier (vault/barrier_view.go): a mount's
// backend sees only its own keys and cannot escape its prefix.
export class StorageView {
  constructor(
    private readonly barrier: Barrier,
    readonly prefix: string,
  ) {}

  private full(key: string): string {
    if (key.includes('..')) throw new Error(`invalid storage key: ${key}`);
    return this.prefix + key;
  }

  get(key: string): Buffer | null {
    return this.barrier.get(this.full(key));
  }
  put(key: string, value: Buffer): void {
    this.barrier.put(this.full(key), value);
  }
  delete(key: string): void {
    this.barrier.delete(this.full(key));
  }
  list(prefix: string): string[] {
    return this.barrier.list(this.full(prefix));
  }
  getJSON<T>(key: string): T | null {
    return this.barrier.getJSON<T>(this.full(key));
  }
  putJSON(key: string, value: unknown): void {
    this.barrier.putJSON(this.full(key), value);
  }
  /**
   * A JSON value decoded once and shared (decoded-cache.ts): never mutate
   * what this returns. Only for non-secret structure (KV metadata, config).
   */
  getDecoded<T>(key: string): T | null {
    const full = this.full(key);
    const cache = decodedCacheOf(this.barrier);
    const hit = cache.get<T>(full);
    if (hit !== undefined) return hit;
    const value = this.barrier.getJSON<T>(full);
    cache.keep(full, value);
    return value;
  }
  /** After a write of `key` has returned: its decoded value, so the next getDecoded needs no read. */
  keepDecoded(key: string, value: unknown): void {
    decodedCacheOf(this.barrier).keep(this.full(key), value);
  }
  /** Several writes in one storage transaction. */
  putMany(entries: { key: string; value: unknown | null }[]): void {
    this.barrier.transaction(
      entries.map((e) =>
        e.value === null
          ? { op: 'delete' as const, key: this.full(e.key) }
          : { op: 'put' as const, key: this.full(e.key), value: Buffer.from(JSON.stringify(e.value)) },
      ),
    );
  }
  /** Delete every key under this view (used when a mount is disabled). */
  clear(): void {
    const keys = this.barrier.physical.keysUnder(this.prefix);
    for (let i = 0; i < keys.length; i += 500) {
      this.barrier.transaction(keys.slice(i, i + 500).map((key) => ({ op: 'delete' as const, key })));
    }
  }
  sub(prefix: string): StorageView {
    return new StorageView(this.barrier, this.prefix + prefix);
  }
}
