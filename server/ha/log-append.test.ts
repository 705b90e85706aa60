import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EtcdError } from './etcd-error';
import { encodeTxn } from './etcd-txn';
import { buildAppendTxn, LOG_INDEX_DIGITS, logKey, MAX_BATCH_RECORDS, type SeenTip, tipKey } from './log-append';
import type { Leadership } from './election';

// The append txn is the fencing rule of the HA log, so its shape is a
// property, not an example: whatever the tip, term and batch, the txn compares
// the tip and the term, and writes exactly the next indices in key order.

const prefix = fc.constantFrom('coffer/c1/', 'x/', 'a/b/c/');
const seenTip = fc.oneof(
  fc.constant<SeenTip>({ index: 0, modRevision: 0 }),
  fc.record({ index: fc.integer({ min: 1, max: 1e12 }), modRevision: fc.integer({ min: 1, max: 1e12 }) }),
);
const leadership = fc.record<Leadership>({
  key: fc.constantFrom('coffer/c1/leader', 'l'),
  lease: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
  createRevision: fc.integer({ min: 1, max: 1e12 }),
});
const records = fc.array(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 })), { minLength: 1, maxLength: MAX_BATCH_RECORDS });

describe('buildAppendTxn', () => {
  it('compares the seen tip and the whole term, always', () => {
    fc.assert(
      fc.property(prefix, seenTip, leadership, records, (p, seen, l, recs) => {
        const t = buildAppendTxn(p, seen, l, recs);
        expect(t.compare).toContainEqual({ key: tipKey(p), target: 'mod', result: 'EQUAL', revision: seen.modRevision });
        expect(t.compare).toContainEqual({ key: l.key, target: 'lease', result: 'EQUAL', lease: l.lease });
        expect(t.compare).toContainEqual({ key: l.key, target: 'create', result: 'EQUAL', revision: l.createRevision });
      }),
    );
  });

  it('writes indices tip+1..tip+n in key order, each key once, then the new tip', () => {
    fc.assert(
      fc.property(prefix, seenTip, leadership, records, (p, seen, l, recs) => {
        const t = buildAppendTxn(p, seen, l, recs);
        const puts = t.success.filter((o) => o.op === 'put');
        expect(puts).toHaveLength(t.success.length);
        const logPuts = puts.slice(0, -1);
        expect(logPuts.map((o) => o.key)).toEqual(recs.map((_, i) => logKey(p, seen.index + 1 + i)));
        expect(logPuts.map((o) => o.op === 'put' && o.value)).toEqual(recs);
        const keys = puts.map((o) => o.key);
        expect(new Set(keys).size).toBe(keys.length); // etcd refuses a txn that names a key twice
        expect([...logPuts.map((o) => o.key)].sort()).toEqual(logPuts.map((o) => o.key));
        expect(puts.at(-1)).toEqual({ op: 'put', key: tipKey(p), value: String(seen.index + recs.length) });
        expect(t.success.length).toBeLessThanOrEqual(128); // etcd --max-txn-ops
      }),
    );
  });

  it('reads back the tip and the leader key when it fails, so the runner can say why', () => {
    fc.assert(
      fc.property(prefix, seenTip, leadership, records, (p, seen, l, recs) => {
        expect(buildAppendTxn(p, seen, l, recs).failure).toEqual([
          { op: 'range', key: tipKey(p) },
          { op: 'range', key: l.key },
        ]);
      }),
    );
  });

  it('encodes for the gateway with base64 keys and decimal-string numbers', () => {
    fc.assert(
      fc.property(prefix, seenTip, leadership, records, (p, seen, l, recs) => {
        const e = encodeTxn(buildAppendTxn(p, seen, l, recs)) as { compare: Record<string, string>[]; success: { request_put: { key: string } }[] };
        expect(Buffer.from(e.compare[0].key, 'base64').toString()).toBe(tipKey(p));
        expect(e.compare[0].mod_revision).toBe(String(seen.modRevision));
        expect(e.compare[1].lease).toBe(l.lease.toString());
        expect(e.success.map((s) => Buffer.from(s.request_put.key, 'base64').toString())).toEqual(
          buildAppendTxn(p, seen, l, recs).success.map((o) => o.key),
        );
      }),
    );
  });

  it('refuses what etcd would refuse or what cannot be fenced', () => {
    const l: Leadership = { key: 'k', lease: 7n, createRevision: 3 };
    const bad = (f: () => unknown) => expect(f).toThrow(EtcdError);
    bad(() => buildAppendTxn('p/', { index: 0, modRevision: 0 }, l, []));
    bad(() => buildAppendTxn('p/', { index: 0, modRevision: 0 }, l, Array(MAX_BATCH_RECORDS + 1).fill('x')));
    bad(() => buildAppendTxn('p/', { index: 0, modRevision: 5 }, l, ['x'])); // an empty log has no tip revision
    bad(() => buildAppendTxn('p/', { index: 4, modRevision: 0 }, l, ['x']));
    bad(() => buildAppendTxn('p/', { index: 0, modRevision: 0 }, { ...l, lease: 0n }, ['x']));
    bad(() => buildAppendTxn('p/', { index: 0, modRevision: 0 }, l, [Buffer.alloc(2 * 1024 * 1024)]));
  });
});

describe('logKey', () => {
  it('orders keys as their indices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b) => {
        const [ka, kb] = [logKey('p/', a), logKey('p/', b)];
        expect(ka < kb).toBe(a < b);
        expect(ka.length).toBe('p/log/'.length + LOG_INDEX_DIGITS);
      }),
    );
  });
});
