import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../storage/backend';
import type { CarriedTxn } from '../storage/quorum';
import type { Leadership } from './election';
import { decodeBatch, type HaBatch } from './ha-log-batch';
import {
  buildBatchTxn,
  decodeTip,
  haLogKey,
  haTipKey,
  netOps,
  type SeenHaTip,
  splitAtTxns,
  stateKey,
  txnCost,
  TxnTooLargeError,
  type TxnLimits,
} from './ha-log-txn';

// The append txn is where the HA log's invariants are made: fenced by tip and
// term; one log key, the next seq; state/ gets each touched key once with its
// last value (so state/ at a revision is the state after the tip); the tip
// moves to the batch's end. And a local commit is split only between storage
// transactions, each part within etcd's limits.

const P = 'coffer/';
const leader: Leadership = { key: 'coffer/leader', lease: 42n, createRevision: 9 };
const guard = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const pos = fc.record({ index: fc.integer({ min: 0, max: 1e9 }), guard });
const key = fc.constantFrom('a', 'b', 'c', 'logical/x/y', 'sys/token/id/z', 'core/replication/role', 'core/mounts');
const op: fc.Arbitrary<StorageOp> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key, value: fc.uint8Array({ maxLength: 200 }).map((v) => Buffer.from(v)) }),
  fc.record({ op: fc.constant('delete' as const), key }),
);
const txns = fc.array(fc.array(op, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });
const seen: fc.Arbitrary<SeenHaTip> = fc.record({ tip: fc.record({ seq: fc.integer({ min: 0, max: 1e9 }), index: fc.nat(), guard }), modRevision: fc.integer({ min: 1, max: 1e9 }) });

describe('buildBatchTxn', () => {
  it('is fenced by the seen tip and the whole term', () => {
    fc.assert(
      fc.property(seen, pos, pos, txns, (s, before, after, t) => {
        const r = buildBatchTxn(P, s, leader, { id: 'i', before, after, txns: t });
        expect(r.compare).toEqual([
          { key: haTipKey(P), target: 'mod', result: 'EQUAL', revision: s.modRevision },
          { key: leader.key, target: 'lease', result: 'EQUAL', lease: leader.lease },
          { key: leader.key, target: 'create', result: 'EQUAL', revision: leader.createRevision },
        ]);
        expect(r.failure.map((o) => o.key)).toEqual([haTipKey(P), leader.key]);
      }),
    );
  });

  it('puts the batch at seq+1, each state key once with its last op, then the tip at the batch end', () => {
    fc.assert(
      fc.property(seen, pos, pos, txns, (s, before, after, t) => {
        const batch: HaBatch = { id: 'i', before, after, txns: t };
        const r = buildBatchTxn(P, s, leader, batch);
        const [log, ...rest] = r.success;
        const tip = rest.pop()!;
        expect(log).toMatchObject({ op: 'put', key: haLogKey(P, s.tip.seq + 1) });
        expect(decodeBatch(Buffer.from((log as { value: Uint8Array }).value))).toEqual(batch);
        expect(tip.key).toBe(haTipKey(P));
        const t2 = decodeTip({ key: tip.key, value: Buffer.from((tip as { value: string }).value), createRevision: 1, modRevision: 5, version: 1, lease: 0n });
        expect(t2.tip).toEqual({ seq: s.tip.seq + 1, ...after });
        // The slow, obvious state: replay every op in order.
        const slow = new Map<string, Buffer | null>();
        for (const o of t.flat()) slow.set(o.key, o.op === 'put' ? o.value : null);
        expect(rest.map((o) => o.key).sort()).toEqual([...slow.keys()].map((k) => stateKey(P, k)).sort());
        for (const o of rest) {
          const want = slow.get(o.key.slice(stateKey(P, '').length));
          if (want === null) expect(o.op).toBe('delete');
          else expect(o).toMatchObject({ op: 'put', value: want });
        }
        const keys = r.success.map((o) => o.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect(r.success.length).toBe(txnCost(P, leader.key, t).ops);
      }),
    );
  });

  it('refuses a txn over the limits and one without a term', () => {
    const b: HaBatch = { id: 'i', before: { index: 0, guard: '0'.repeat(32) }, after: { index: 1, guard: '1'.repeat(32) }, txns: [[{ op: 'put', key: 'k', value: Buffer.alloc(2048) }]] };
    expect(() => buildBatchTxn(P, { tip: { seq: 0, index: 0, guard: '0'.repeat(32) }, modRevision: 3 }, leader, b, { maxOps: 128, maxBytes: 1024 })).toThrow(TxnTooLargeError);
    expect(() => buildBatchTxn(P, { tip: { seq: 0, index: 0, guard: '0'.repeat(32) }, modRevision: 3 }, { ...leader, lease: 0n }, b)).toThrow();
  });
});

describe('splitAtTxns', () => {
  const limits = fc.record({ maxOps: fc.integer({ min: 7, max: 20 }), maxBytes: fc.integer({ min: 1500, max: 4000 }) });
  const carried = (ts: StorageOp[][]): CarriedTxn[] => ts.map((ops, i) => ({ ops, after: { index: i + 1, guard: (i + 1).toString(16).padStart(32, '0') } }));

  it('keeps every transaction whole and in order, each part within the limits, positions chained', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 30 }), limits, (ts, l: TxnLimits) => {
        const before = { index: 0, guard: '0'.repeat(32) };
        const parts = splitAtTxns(P, leader.key, before, carried(ts), l);
        expect(parts.flatMap((p) => p.txns)).toEqual(ts);
        let at = before;
        for (const p of parts) {
          expect(p.before).toEqual(at);
          const c = txnCost(P, leader.key, p.txns);
          expect(c.ops).toBeLessThanOrEqual(l.maxOps);
          expect(c.bytes).toBeLessThanOrEqual(l.maxBytes);
          at = p.after;
        }
        expect(at).toEqual(carried(ts).at(-1)!.after);
        // Greedy: no part could have taken the next part's first transaction.
        for (let i = 0; i + 1 < parts.length; i++) {
          const c = txnCost(P, leader.key, [...parts[i].txns, parts[i + 1].txns[0]]);
          expect(c.ops > l.maxOps || c.bytes > l.maxBytes).toBe(true);
        }
      }),
    );
  });

  it('refuses a single transaction larger than the limits', () => {
    const big: StorageOp[] = Array.from({ length: 20 }, (_, i) => ({ op: 'delete', key: `k${i}` }));
    expect(() => splitAtTxns(P, leader.key, { index: 0, guard: '0'.repeat(32) }, carried([big]), { maxOps: 10, maxBytes: 1e6 })).toThrow(TxnTooLargeError);
  });
});

describe('netOps', () => {
  it('is the last op per key', () => {
    fc.assert(
      fc.property(txns, (t) => {
        const net = netOps(t);
        for (const [k, o] of net) expect(o).toBe(t.flat().filter((x) => x.key === k).at(-1));
      }),
    );
  });
});
