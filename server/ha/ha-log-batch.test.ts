import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../storage/backend';
import { BatchFormatError, decodeBatch, encodeBatch, encodedBatchOverhead, encodedOpBytes, type HaBatch } from './ha-log-batch';

// A follower applies exactly what the leader appended, or nothing: whatever
// the batch, decode(encode(b)) is b, and a batch with any one byte changed,
// cut short or extended is refused with BatchFormatError.

const guard = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const position = fc.record({ index: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), guard });
const key = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.constantFrom('logical/abc/x', 'core/replication/role'));
const op: fc.Arbitrary<StorageOp> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key, value: fc.uint8Array({ maxLength: 64 }).map((v) => Buffer.from(v)) }),
  fc.record({ op: fc.constant('delete' as const), key }),
);
export const batchArb: fc.Arbitrary<HaBatch> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 32 }),
  before: position,
  after: position,
  txns: fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 6 }),
});

describe('HA log batch codec', () => {
  it('round-trips every batch', () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        expect(decodeBatch(encodeBatch(b))).toEqual(b);
      }),
    );
  });

  it('refuses a batch with any one byte altered', () => {
    fc.assert(
      fc.property(batchArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, at, xor) => {
        const buf = encodeBatch(b);
        const i = at % buf.length;
        buf[i] ^= xor;
        expect(() => decodeBatch(buf)).toThrow(BatchFormatError);
      }),
    );
  });

  it('refuses a batch cut short or with bytes appended', () => {
    fc.assert(
      fc.property(batchArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (b, cut, extra) => {
        const buf = encodeBatch(b);
        expect(() => decodeBatch(buf.subarray(0, cut % buf.length))).toThrow(BatchFormatError);
        expect(() => decodeBatch(Buffer.concat([buf, extra]))).toThrow(BatchFormatError);
      }),
    );
  });

  it('sizes a batch exactly as the txn builder counts it', () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        const ops = b.txns.flat().reduce((n, o) => n + encodedOpBytes(o), 0);
        expect(encodeBatch(b).length).toBe(encodedBatchOverhead(Buffer.byteLength(b.id), b.txns.length) + ops);
      }),
    );
  });

  it('refuses to encode what it could not decode to the same value', () => {
    const b: HaBatch = { id: 'x', before: { index: 0, guard: '0'.repeat(32) }, after: { index: 1, guard: 'a'.repeat(32) }, txns: [] };
    expect(() => encodeBatch({ ...b, id: '' })).toThrow(BatchFormatError);
    expect(() => encodeBatch({ ...b, after: { index: 1, guard: 'XYZ' } })).toThrow(BatchFormatError);
    expect(() => encodeBatch({ ...b, after: { index: -1, guard: 'a'.repeat(32) } })).toThrow(BatchFormatError);
    expect(() => encodeBatch({ ...b, txns: [[{ op: 'put', key: 'bad\ud800', value: Buffer.alloc(1) }]] })).toThrow(BatchFormatError);
  });
});
