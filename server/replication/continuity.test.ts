import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardOf } from '../storage/wal-log';
import { continuityError, type BatchHead } from './continuity';
import type { WirePosition, WireRecord } from './frames';

const GENESIS = '0'.repeat(32);

/** A primary's log: n records chained from genesis, as wal-log.ts makes them. */
function chain(n: number, cls: (i: number) => 'replicated' | 'local' = () => 'replicated'): WireRecord[] {
  const out: WireRecord[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const del = i % 5 === 0;
    const value = del ? null : Buffer.from(`value-${i}`);
    const guard = guardOf(prev, i, `k/${i % 7}`, del ? 'delete' : 'put', value);
    out.push({ index: i, key: `k/${i % 7}`, op: del ? 'delete' : 'put', value: value && value.toString('base64'), cls: cls(i), guard });
    prev = guard;
  }
  return out;
}

const posOf = (log: WireRecord[], index: number): WirePosition => (index === 0 ? { index: 0, guard: GENESIS } : { index, guard: log[index - 1].guard });

/** The batch the primary ships for records (from, to], keeping only what `ships` lets through. */
function batch(log: WireRecord[], from: number, to: number, ships: (r: WireRecord) => boolean = () => true): BatchHead {
  const last = posOf(log, to);
  return { follows: posOf(log, from), records: log.slice(from, to).filter(ships), lastIndex: last.index, lastGuard: last.guard };
}

describe('continuityError', () => {
  const log = chain(20);

  it('accepts a batch that continues the stored position exactly, and the empty "streaming from here" batch', () => {
    expect(continuityError(posOf(log, 5), batch(log, 5, 9))).toBeNull();
    expect(continuityError(posOf(log, 5), batch(log, 5, 5))).toBeNull();
    expect(continuityError(posOf(log, 0), batch(log, 0, 20))).toBeNull();
  });

  it('refuses a gap: the batch follows a position this secondary never reached', () => {
    expect(continuityError(posOf(log, 5), batch(log, 7, 9))).toMatch(/^gap: batch follows index 7 but this secondary holds only up to 5/);
  });

  it('refuses a replay of records already applied', () => {
    expect(continuityError(posOf(log, 9), batch(log, 5, 12))).toMatch(/^replay:/);
  });

  it('refuses a batch from another history (same index, other guard)', () => {
    const other = chain(20).map((r) => ({ ...r, guard: r.guard.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }));
    expect(continuityError(posOf(log, 5), batch(other, 5, 9))).toMatch(/^guard mismatch at index 5/);
  });

  it('refuses a batch whose records break the guard chain (a record altered in flight)', () => {
    const b = batch(log, 5, 9);
    const tampered = { ...b, records: b.records.map((r) => (r.index === 7 ? { ...r, value: Buffer.from('evil').toString('base64') } : r)) };
    expect(continuityError(posOf(log, 5), tampered)).toBe('guard chain broken at index 7');
  });

  it('refuses records out of order or beyond the batch end, and a last guard that is not the last record', () => {
    const b = batch(log, 5, 9);
    expect(continuityError(posOf(log, 5), { ...b, records: [...b.records].reverse() })).toMatch(/out of order/);
    expect(continuityError(posOf(log, 5), { ...b, lastIndex: 8 })).toMatch(/out of order/);
    expect(continuityError(posOf(log, 5), { ...b, lastGuard: GENESIS })).toMatch(/last guard/);
    expect(continuityError(posOf(log, 5), { ...b, records: [], lastIndex: 4 })).toMatch(/before the position it follows/);
  });

  it('accepts a performance batch with holes where local records were not shipped', () => {
    const mixed = chain(20, (i) => (i % 3 === 0 ? 'local' : 'replicated'));
    const perf = (r: WireRecord) => r.cls === 'replicated';
    expect(continuityError(posOf(mixed, 2), batch(mixed, 2, 15, perf))).toBeNull();
    expect(continuityError(posOf(mixed, 2), batch(mixed, 2, 3, perf))).toBeNull(); // only a local record: empty, position still moves
  });

  it('property: any split of the log applies in order; dropping a non-empty batch or altering a DR record is always caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.nat(),
        fc.boolean(),
        (n, cutSeeds, pick, perfMode) => {
          const full = chain(n, (i) => (perfMode && i % 4 === 0 ? 'local' : 'replicated'));
          const ships = (r: WireRecord) => !perfMode || r.cls === 'replicated';
          const cuts = [...new Set(cutSeeds.map((c) => 1 + (c % (n - 1))))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, n];
          const batches = bounds.slice(1).map((to, i) => batch(full, bounds[i], to, ships));
          // In order: each batch continues what the previous one left.
          let stored = posOf(full, 0);
          for (const b of batches) {
            expect(continuityError(stored, b)).toBeNull();
            stored = { index: b.lastIndex, guard: b.lastGuard };
          }
          // Lose one batch (not the last): the next one no longer follows the stored position.
          if (batches.length > 1) {
            const lost = pick % (batches.length - 1);
            const at = lost === 0 ? posOf(full, 0) : { index: batches[lost - 1].lastIndex, guard: batches[lost - 1].lastGuard };
            expect(continuityError(at, batches[lost + 1])).toMatch(/^gap:/);
          }
          // DR ships every record: changing any value inside a batch breaks the chain.
          if (!perfMode) {
            const target = full[pick % n];
            const b = batches.find((x) => x.records.some((r) => r.index === target.index))!;
            const evil = { ...b, records: b.records.map((r) => (r.index === target.index ? { ...r, key: `${r.key}!` } : r)) };
            expect(continuityError(b.follows, evil)).not.toBeNull();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
