import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Leadership } from './election';
import { encodeTxn } from './etcd-txn';
import { buildBatchTxn, haTipKey, type SeenHaTip } from './ha-log-txn';
import { LOG_INDEX_DIGITS, logKey } from './log-append';

// What the fenced append sends over etcd's JSON gateway, and the key order
// followers read batches in. (The txn's own properties — fencing, seq, net
// state, limits — are in ha-log-txn.test.ts.)

const guard = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const seen: fc.Arbitrary<SeenHaTip> = fc.record({ tip: fc.record({ seq: fc.integer({ min: 0, max: 1e12 }), index: fc.nat(), guard }), modRevision: fc.integer({ min: 1, max: 1e12 }) });
const leadership = fc.record<Leadership>({
  key: fc.constantFrom('coffer/c1/leader', 'l'),
  lease: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
  createRevision: fc.integer({ min: 1, max: 1e12 }),
});
const ops = fc.array(fc.record({ op: fc.constant('put' as const), key: fc.constantFrom('a', 'b/c', 'sys/token/x'), value: fc.uint8Array({ maxLength: 32 }).map((v) => Buffer.from(v)) }), { minLength: 1, maxLength: 5 });

describe('the fenced batch append on the wire', () => {
  it('encodes for the gateway with base64 keys and decimal-string numbers', () => {
    fc.assert(
      fc.property(fc.constantFrom('coffer/c1/', 'x/'), seen, leadership, ops, guard, (p, s, l, o, g) => {
        const t = buildBatchTxn(p, s, l, { id: 'id', before: s.tip, after: { index: s.tip.index + 1, guard: g }, txns: [o] });
        const e = encodeTxn(t) as { compare: Record<string, string>[]; success: { request_put?: { key: string }; request_delete_range?: { key: string } }[] };
        expect(Buffer.from(e.compare[0].key, 'base64').toString()).toBe(haTipKey(p));
        expect(e.compare[0].mod_revision).toBe(String(s.modRevision));
        expect(e.compare[1].lease).toBe(l.lease.toString());
        expect(e.compare[2].create_revision).toBe(String(l.createRevision));
        expect(e.success.map((x) => Buffer.from((x.request_put ?? x.request_delete_range)!.key, 'base64').toString())).toEqual(t.success.map((x) => x.key));
      }),
    );
  });
});

describe('logKey', () => {
  it('orders keys as their seqs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b) => {
        const [ka, kb] = [logKey('p/', a), logKey('p/', b)];
        expect(ka < kb).toBe(a < b);
        expect(ka.length).toBe('p/log/'.length + LOG_INDEX_DIGITS);
      }),
    );
  });

  it('refuses seqs that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) expect(() => logKey('p/', bad)).toThrow();
  });
});
