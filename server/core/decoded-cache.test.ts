import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Barrier } from '../barrier/barrier';
import { SqliteBackend } from '../storage/sqlite';
import { DecodedCache, decodedCacheOf } from './decoded-cache';
import { StorageView } from './storage-view';

// Real SQLite (in memory) behind a real barrier: the cache follows the
// storage change bus, whoever writes.
function setup(groupCommit = false) {
  const physical = new SqliteBackend({ path: ':memory:', groupCommit });
  const barrier = new Barrier(physical);
  barrier.unseal(barrier.initialize({ secret_shares: 1, secret_threshold: 1 }));
  return { physical, barrier, view: new StorageView(barrier, 'logical/m/') };
}

describe('decoded cache', () => {
  it('answers a kept value from memory until that key changes in storage, by any writer', () => {
    const { physical, barrier, view } = setup();
    view.putJSON('metadata/a', { v: 1 });
    view.keepDecoded('metadata/a', { v: 1 });
    const kept = view.getDecoded<{ v: number }>('metadata/a');
    expect(kept).toEqual({ v: 1 });
    expect(view.getDecoded('metadata/a')).toBe(kept); // the same object: no read, no parse
    // A write below the barrier (as a replication applier makes it) drops it.
    physical.applyShipped([{ op: 'put', key: 'logical/m/metadata/a', value: barrier.encrypt('logical/m/metadata/a', Buffer.from('{"v":2}')) }]);
    expect(view.getDecoded('metadata/a')).toEqual({ v: 2 });
    view.putJSON('metadata/a', { v: 3 });
    expect(view.getDecoded('metadata/a')).toEqual({ v: 3 });
  });

  it('a rolled-back group commit drops what was kept from it', () => {
    const { physical, view } = setup(true);
    view.putJSON('metadata/a', { v: 1 });
    physical.commitBatch();
    view.putJSON('metadata/a', { v: 2 });
    view.keepDecoded('metadata/a', { v: 2 });
    physical.faults.failCommit = true;
    physical.commitBatch(); // COMMIT fails: the batch is rolled back and storage says "anything changed"
    physical.faults.failCommit = false;
    expect(view.getDecoded('metadata/a')).toEqual({ v: 1 });
  });

  it('a sealed barrier refuses reads and forgets every decoded value', () => {
    const { barrier, view } = setup();
    view.putJSON('config', { max_versions: 3 });
    view.keepDecoded('config', { max_versions: 3 });
    barrier.seal();
    expect(() => view.getDecoded('config')).toThrow(/sealed/);
    expect(decodedCacheOf(barrier).size).toBe(0);
  });

  it('one cache per barrier, however many views (no subscription per rebuilt mount)', () => {
    const { barrier } = setup();
    expect(decodedCacheOf(barrier)).toBe(decodedCacheOf(barrier));
  });

  it('holds at most its bound, and keeps the most recently kept keys', () => {
    const { barrier } = setup();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), (bound, keys) => {
        const cache = new DecodedCache(barrier, bound);
        for (const k of keys) cache.keep(`k${k}`, k);
        expect(cache.size).toBeLessThanOrEqual(bound);
        const recent = [...new Set([...keys].reverse())].slice(0, bound);
        for (const k of recent) expect(cache.get(`k${k}`)).toBe(k);
      }),
      { numRuns: 60 },
    );
  });
});
