import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, ValueCache } from './value-cache';

describe('ValueCache', () => {
  it('keeps its own exact-size copy, never a slice of a shared pool slab', () => {
    const cache = new ValueCache();
    const pooled = Buffer.from('a small value'); // a slice of Node's 8 KB pool
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    cache.set('k', pooled);
    const kept = cache.get('k')!;
    expect(kept.toString()).toBe('a small value');
    expect(kept.buffer.byteLength).toBe(kept.length);
  });

  it('remembers absence (null) apart from "not cached" (undefined)', () => {
    const cache = new ValueCache();
    cache.set('gone', null);
    expect(cache.get('gone')).toBeNull();
    expect(cache.get('never')).toBeUndefined();
  });

  it('property: the bytes held stay within the bound, and a value served is the last one set for its key', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(40), len: fc.option(fc.nat(300)) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(40) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: ENTRY_OVERHEAD_BYTES, max: 5_000 }), (ops, bound) => {
        const cache = new ValueCache(bound);
        const last = new Map<string, Buffer | null>();
        for (const o of ops) {
          const key = `k${o.key}`;
          if (o.kind === 'set') {
            const value = o.len === null ? null : Buffer.alloc(o.len, o.key);
            cache.set(key, value);
            last.set(key, value);
          } else {
            cache.delete(key);
            last.delete(key);
          }
          expect(cache.held).toBeLessThanOrEqual(bound);
          for (const [k, v] of last) {
            const got = cache.get(k);
            if (got !== undefined) expect(got === null ? null : Buffer.compare(got, v!)).toBe(v === null ? null : 0);
          }
        }
      }),
    );
  });
});
