import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import type { StorageOp } from './backend';
import { DEFAULT_MAX_ENTRY_SIZE, entrySize } from './entry-size';
import { SqliteBackend } from './sqlite';

const bytes = (n: number) => Buffer.alloc(n, 0x61);

describe('max_entry_size in SqliteBackend', () => {
  it('defaults to 1 MiB, counts key + value, and answers 413 with Vault’s wording', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    expect(s.maxEntrySize).toBe(DEFAULT_MAX_ENTRY_SIZE);
    const key = 'logical/k';
    s.put(key, bytes(DEFAULT_MAX_ENTRY_SIZE - key.length)); // exactly at the limit: accepted
    let err: unknown;
    try {
      s.put(key, bytes(DEFAULT_MAX_ENTRY_SIZE - key.length + 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).status).toBe(413);
    expect((err as VaultError).message).toBe(`put failed due to value being too large; got ${DEFAULT_MAX_ENTRY_SIZE + 1} bytes, max: ${DEFAULT_MAX_ENTRY_SIZE} bytes`);
  });

  it('writes nothing of a transaction with one oversized put: no entry, no log record, same merkle root', () => {
    const s = new SqliteBackend({ path: ':memory:', maxEntrySize: 100 });
    const root = s.merkleRoot('replicated');
    expect(() => s.transaction([{ op: 'put', key: 'a', value: bytes(10) }, { op: 'put', key: 'b', value: bytes(200) }])).toThrow(/too large/);
    expect(s.get('a')).toBeNull();
    expect(s.log.lastIndex).toBe(0);
    expect(s.merkleRoot('replicated')).toBe(root);
  });

  it('applies what a primary shipped even when it exceeds this node’s smaller limit', () => {
    const s = new SqliteBackend({ path: ':memory:', maxEntrySize: 100 });
    s.applyShipped([{ op: 'put', key: 'logical/big', value: bytes(1000) }]);
    expect(s.get('logical/big')?.length).toBe(1000);
  });

  it('property: a transaction commits iff every put fits, and a refused one changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('logical/a', 'logical/b', 'sys/token/c'), size: fc.nat({ max: 300 }), del: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        (spec) => {
          const max = 200;
          const s = new SqliteBackend({ path: ':memory:', maxEntrySize: max });
          const ops: StorageOp[] = spec.map((o) => (o.del ? { op: 'delete', key: o.key } : { op: 'put', key: o.key, value: bytes(o.size) }));
          const fits = ops.every((o) => o.op === 'delete' || entrySize(o.key, o.value) <= max);
          const before = s.log.lastIndex;
          let ok = true;
          try {
            s.transaction(ops);
          } catch (e) {
            ok = false;
            expect((e as VaultError).code).toBe('too_large');
          }
          expect(ok).toBe(fits);
          if (!ok) {
            expect(s.log.lastIndex).toBe(before);
            for (const o of ops) expect(s.get(o.key)).toBeNull();
          }
          s.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('WalLog.readFrom byte cap', () => {
  it('property: batches cover every record in order, each within the cap unless it is a single record', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8000 }), (sizes, cap) => {
        const s = new SqliteBackend({ path: ':memory:', maxEntrySize: 1 << 20 });
        sizes.forEach((n, i) => s.put(`logical/k${i}`, bytes(n)));
        const seen: number[] = [];
        let next = 1;
        while (next <= s.log.lastIndex) {
          const batch = s.log.readFrom(next, 1000, cap);
          expect(batch.length).toBeGreaterThan(0);
          const total = batch.reduce((t, r) => t + r.key.length + (r.value?.length ?? 0), 0);
          if (batch.length > 1) expect(total).toBeLessThanOrEqual(cap);
          seen.push(...batch.map((r) => r.index));
          next = batch[batch.length - 1].index + 1;
        }
        expect(seen).toEqual(sizes.map((_, i) => i + 1));
        s.close();
      }),
      { numRuns: 60 },
    );
  });
});
