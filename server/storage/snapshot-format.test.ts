import fc from 'fast-check';
import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, SnapshotFormatError } from './snapshot-format';

const entry = fc.record({ key: fc.string({ minLength: 1, maxLength: 40 }), value: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) });
const header = { cluster_id: 'c1', index: 42, guard: 'g', created_at: '2026-12-02T00:00:00.000Z' };

describe('snapshot format', () => {
  it('round-trips any entries with their header', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const out = decodeSnapshot(encodeSnapshot(header, entries));
        expect(out.header).toMatchObject({ ...header, version: 1, entries: entries.length });
        expect(out.entries).toEqual(entries);
      }),
    );
  });

  it('any single altered byte of the content is refused, never restored', () => {
    const raw = gunzipSync(encodeSnapshot(header, [{ key: 'core/keyring', value: Buffer.from('sealed') }, { key: 'logical/x', value: Buffer.from('v') }]));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bad = Buffer.from(raw);
        bad[at] ^= flip;
        expect(() => decodeSnapshot(gzipSync(bad))).toThrow(SnapshotFormatError);
      }),
    );
  });

  it('a truncated file or something else entirely is refused with a clear reason', () => {
    const good = encodeSnapshot(header, [{ key: 'a', value: Buffer.from('b') }]);
    expect(() => decodeSnapshot(good.subarray(0, good.length - 5))).toThrow(/not a Coffer snapshot/);
    expect(() => decodeSnapshot(Buffer.from('{"hello":1}'))).toThrow(/not a Coffer snapshot/);
    expect(() => decodeSnapshot(gzipSync(Buffer.from('hello')))).toThrow(/not a Coffer snapshot/);
  });
});
