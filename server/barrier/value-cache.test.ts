import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, ValueCache } from './value-cache';

describe('ValueCache', () => {
  it('keeps its own copy: the Buffer it was given (maybe a pool slice) can change or go without changing what it serves', () => {
    const cache = new ValueCache();
    const pooled = Buffer.from('a small value'); // a slice of Node's 8 KB pool
    cache.set('k', pooled);
    pooled.fill(0);
    expect(cache.get('k')!.toString()).toBe('a small value');
  });

  it('serves back every byte value unchanged (values are any bytes, not only text)', () => {
    const cache = new ValueCache();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    cache.set('bytes', all);
    expect(Buffer.compare(cache.get('bytes')!, all)).toBe(0);
    const text = Buffer.from('{"password":"hünter2 ✓ 🔑"}');
    cache.set('utf8', text);
    expect(cache.get('utf8')!.toString('utf8')).toBe('{"password":"hünter2 ✓ 🔑"}');
    expect(cache.getText('utf8')).toBe('{"password":"hünter2 ✓ 🔑"}');
    cache.set('ascii', Buffer.from('{"password":"hunter2"}'));
    expect(cache.getText('ascii')).toBe('{"password":"hunter2"}');
    cache.set('none', null);
    expect(cache.getText('none')).toBeNull();
    expect(cache.getText('never')).toBeUndefined();
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
            const value = o.len === null ? null : Buffer.alloc(o.len, (o.key * 7) & 0xff); // ASCII and non-ASCII bytes
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
            const text = cache.getText(k);
            if (text !== undefined) expect(text).toBe(v === null ? null : v!.toString('utf8'));
          }
        }
      }),
    );
  });
});
