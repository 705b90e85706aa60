import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EtcdError } from './etcd-error';
import { id, keyValue, num, prefixEnd } from './etcd-wire';

// Prefix ranges and int64 strings are where a gateway client goes quietly
// wrong: a range_end one byte off drops or adds keys, and Number() rounds a
// lease id. Both are stated as properties here.

describe('prefixEnd', () => {
  it('selects exactly the keys that start with the prefix', () => {
    const bytes = fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(bytes.filter((b) => b.length > 0), bytes, (prefix, key) => {
        const end = prefixEnd(prefix);
        const inRange = Buffer.compare(prefix, key) <= 0 && (end.equals(Buffer.from([0])) || Buffer.compare(key, end) < 0);
        expect(inRange).toBe(key.subarray(0, prefix.length).equals(prefix));
      }),
    );
  });
});

describe('numbers from the gateway', () => {
  it('parses int64 strings: revisions as safe numbers, ids as exact bigints', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        expect(id(v.toString())).toBe(v);
      }),
    );
    expect(num('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => num('9007199254740993')).toThrow(EtcdError);
    expect(num(undefined)).toBe(0); // protobuf-JSON leaves zero values out
  });

  it('decodes a key-value with fields left out as zeros', () => {
    expect(keyValue({ key: Buffer.from('k').toString('base64') })).toEqual({ key: 'k', value: Buffer.alloc(0), createRevision: 0, modRevision: 0, version: 0, lease: 0n });
  });
});
