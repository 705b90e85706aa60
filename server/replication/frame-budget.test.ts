import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEAF_COUNT, LEAVES_PER_PAGE, PAGE_COUNT } from '../storage/merkle-index';
import { FETCH_KEYS_BYTES, WAL_BATCH_BYTES } from './context';
import { cutWalBatch, encodedBytes, ENVELOPE_RESERVE_BYTES, FrameBudget, itemBudget, largestItem, packByBytes } from './frame-budget';
import type { LogRecord } from '../storage/backend';
import { encodeFrame, MAX_FRAME_BYTES, type Frame, type WireRecord } from './frames';

const MAX = Number.MAX_SAFE_INTEGER;
const GUARD = 'f'.repeat(64); // longer than any real guard (32 hex)

const wireRecord = fc.record({
  index: fc.maxSafeNat(),
  key: fc.string({ unit: 'binary', maxLength: 80 }),
  op: fc.constantFrom('put' as const, 'delete' as const),
  value: fc.option(fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b).toString('base64')), { nil: null }),
  cls: fc.constantFrom('replicated' as const, 'local' as const),
  guard: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
}) satisfies fc.Arbitrary<WireRecord>;

const walsFrame = (records: WireRecord[]): Frame => ({ type: 'wals', follows: { index: MAX, guard: GUARD }, records, at: MAX, lastIndex: MAX, lastGuard: GUARD });
const payloadBytes = (f: Frame) => encodeFrame(f, Infinity).length - 4;

describe('frame budget', () => {
  it('the envelope reserve covers the largest envelope of every batch frame', () => {
    expect(payloadBytes(walsFrame([]))).toBeLessThanOrEqual(ENVELOPE_RESERVE_BYTES);
    expect(payloadBytes({ type: 'fetch-keys', tree: MAX, entries: [], done: false })).toBeLessThanOrEqual(ENVELOPE_RESERVE_BYTES);
  });

  it('merkle answers are bounded by the tree, far below a frame: all pages, all leaves', () => {
    const hashes = (n: number) => Array.from({ length: n }, () => 'f'.repeat(64));
    const pages: Frame = { type: 'merkle-pages', tree: 1, hashes: hashes(PAGE_COUNT), index: MAX, guard: GUARD };
    const leaves: Frame = { type: 'merkle-leaves', tree: 1, leaves: Array.from({ length: PAGE_COUNT }, (_, page) => ({ page, hashes: hashes(LEAVES_PER_PAGE) })) };
    const request: Frame = { type: 'fetch-keys-request', tree: 1, buckets: Array.from({ length: LEAF_COUNT }, (_, i) => i) };
    for (const f of [pages, leaves, request]) expect(payloadBytes(f)).toBeLessThan(1024 * 1024);
  });

  it('batch caps leave room below the frame limit for the largest record storage accepts', () => {
    // storage/entry-size.ts MAX_MAX_ENTRY_SIZE: 32 MiB of key + value, base64 makes the value 4/3.
    const largestRecord = Math.ceil((32 * 1024 * 1024 * 4) / 3) + 4096;
    expect(largestRecord).toBeLessThanOrEqual(largestItem(MAX_FRAME_BYTES));
    expect(itemBudget(WAL_BATCH_BYTES, MAX_FRAME_BYTES) + ENVELOPE_RESERVE_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES / 4);
    expect(itemBudget(FETCH_KEYS_BYTES, MAX_FRAME_BYTES) + ENVELOPE_RESERVE_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES / 4);
    expect(itemBudget(WAL_BATCH_BYTES, 4096)).toBe(4096 - ENVELOPE_RESERVE_BYTES);
  });

  it('counts exactly what the codec writes: items plus one comma between each', () => {
    fc.assert(
      fc.property(fc.array(wireRecord, { maxLength: 20 }), (records) => {
        const b = new FrameBudget(Infinity);
        for (const r of records) expect(b.admit(encodedBytes(r))).toBe(true);
        expect(payloadBytes(walsFrame(records)) - payloadBytes(walsFrame([]))).toBe(b.bytes);
      }),
    );
  });

  it('packing keeps every item in order, and every frame of two or more items within the batch cap', () => {
    fc.assert(
      fc.property(fc.array(wireRecord, { maxLength: 40 }), fc.integer({ min: 1, max: 20_000 }), (records, batchBytes) => {
        const budget = itemBudget(batchBytes + ENVELOPE_RESERVE_BYTES, MAX_FRAME_BYTES);
        const packs = packByBytes(records, budget);
        expect(packs.flat()).toEqual(records);
        for (const p of packs) {
          expect(p.length).toBeGreaterThan(0);
          if (p.length > 1) expect(payloadBytes(walsFrame(p))).toBeLessThanOrEqual(batchBytes + ENVELOPE_RESERVE_BYTES);
        }
        // Greedy: a pack was closed only because the next item did not fit.
        for (let i = 0; i + 1 < packs.length; i++) {
          expect(packByBytes([...packs[i], packs[i + 1][0]], budget)).toHaveLength(2);
        }
      }),
    );
  });

  it('cutWalBatch: successive cuts ship every record in order, each frame within budget; unshipped records move the end but take no room', () => {
    const logRecord = fc.record({
      key: fc.string({ maxLength: 40 }),
      size: fc.nat({ max: 4000 }),
      cls: fc.constantFrom('replicated' as const, 'local' as const),
    });
    fc.assert(
      fc.property(fc.array(logRecord, { minLength: 1, maxLength: 60 }), fc.integer({ min: 200, max: 12_000 }), fc.boolean(), (specs, budget, perf) => {
        const records: LogRecord[] = specs.map((r, i) => ({ index: i + 1, key: r.key, op: 'put', value: Buffer.alloc(r.size, i), cls: r.cls, guard: 'ab'.repeat(16) }));
        const ships = (cls: LogRecord['cls']) => !perf || cls === 'replicated';
        const shipped: number[] = [];
        let from = 0;
        while (from < records.length) {
          const { shipped: batch, last } = cutWalBatch(records.slice(from), ships, budget, MAX_FRAME_BYTES);
          expect(last.index).toBeGreaterThan(from);
          if (batch.length > 1) expect(payloadBytes(walsFrame(batch)) - payloadBytes(walsFrame([]))).toBeLessThanOrEqual(budget);
          shipped.push(...batch.map((w) => w.index));
          from = last.index;
        }
        expect(shipped).toEqual(records.filter((r) => ships(r.cls)).map((r) => r.index));
      }),
    );
  });

  it('cutWalBatch: a record no frame of this limit can carry is refused with its index, key and size', () => {
    const huge: LogRecord = { index: 7, key: 'logical/x/huge', op: 'put', value: Buffer.alloc(10_000), cls: 'replicated', guard: 'ab'.repeat(16) };
    expect(() => cutWalBatch([huge], () => true, 100_000, 8_192)).toThrow(/^record 7 \(logical\/x\/huge\) encodes to \d+ bytes, more than a 8192-byte frame can carry$/);
  });
});
