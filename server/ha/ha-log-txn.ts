import { VaultError } from '../errors';
import type { StorageOp } from '../storage/backend';
import type { CarriedTxn, LogPosition } from '../storage/quorum';
import type { Leadership } from './election';
import { EtcdError } from './etcd-error';
import type { RequestOp, TxnRequest } from './etcd-txn';
import type { KeyValue } from './etcd-wire';
import { encodeBatch, encodedBatchOverhead, encodedOpBytes, type HaBatch } from './ha-log-batch';

// The HA log's layout in etcd under a prefix P (ha-design.md decision 2):
//   P tip            {"seq","index","guard"}: the last batch and the WalLog position after it
//   P log/<seq>      one batch (ha-log-batch.ts), seq zero-padded so key order is seq order
//   P state/<key>    the current value of every carried key
// One txn per batch appends the batch, applies its net effect to state/ and
// moves the tip — fenced (log-append.ts sends it): the tip's mod revision as
// seen and the leader key's lease and create revision. So state/ at any revision is
// exactly the state after the tip at that revision (bootstrap and repair read
// them together), and a deposed leader's append fails inside etcd.

export interface HaTip {
  seq: number;
  index: number;
  guard: string;
}

/** The tip as a writer saw it: modRevision 0 while the prefix holds no log (tip absent). */
export interface SeenHaTip {
  tip: HaTip;
  modRevision: number;
}

/** etcd's defaults (--max-txn-ops 128, --max-request-bytes 1.5 MiB), with room for the request's own framing. */
export interface TxnLimits {
  maxOps: number;
  maxBytes: number;
}
export const DEFAULT_TXN_LIMITS: TxnLimits = { maxOps: 128, maxBytes: 1024 * 1024 };
/** Protobuf framing per put/delete/compare, generously rounded up. */
const PER_OP_BYTES = 32;
const TIP_BYTES = 128;
/** What `batch id` an append uses, for sizing before the id exists. */
export const BATCH_ID_BYTES = 16;

export const EMPTY_TIP: SeenHaTip = { tip: { seq: 0, index: 0, guard: '0'.repeat(32) }, modRevision: 0 };

export const haTipKey = (prefix: string): string => `${prefix}tip`;
export const LOG_INDEX_DIGITS = 20;

/** `P log/<seq>`, the seq zero-padded so key order is seq order. */
export function haLogKey(prefix: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new EtcdError('invalid_argument', `log index ${seq} is not a positive integer`);
  return `${prefix}log/${String(seq).padStart(LOG_INDEX_DIGITS, '0')}`;
}
export const haLogPrefix = (prefix: string): string => `${prefix}log/`;
export const stateKey = (prefix: string, key: string): string => `${prefix}state/${key}`;
export const statePrefix = (prefix: string): string => `${prefix}state/`;

/** A storage transaction the HA log cannot carry in one etcd txn under these limits (413, before anything is written). */
export class TxnTooLargeError extends VaultError {
  constructor(ops: number, bytes: number, limits: TxnLimits) {
    super('too_large', `storage transaction too large for the HA log: ${ops} etcd operations and ~${bytes} bytes, etcd accepts ${limits.maxOps} operations and ${limits.maxBytes} bytes per txn (raise --max-txn-ops / --max-request-bytes on the etcd members)`);
    this.name = 'TxnTooLargeError';
  }
}

export function encodeTip(t: HaTip): string {
  return JSON.stringify({ seq: t.seq, index: t.index, guard: t.guard });
}

export function decodeTip(kv: KeyValue | null | undefined): SeenHaTip {
  if (!kv) return EMPTY_TIP;
  let t: HaTip;
  try {
    t = JSON.parse(kv.value.toString('utf8')) as HaTip;
  } catch (cause) {
    throw new EtcdError('bad_response', `HA log tip is not JSON`, { cause });
  }
  if (!Number.isSafeInteger(t.seq) || t.seq < 0 || !Number.isSafeInteger(t.index) || t.index < 0 || typeof t.guard !== 'string')
    throw new EtcdError('bad_response', `HA log tip holds ${kv.value.toString('utf8').slice(0, 100)}`);
  return { tip: { seq: t.seq, index: t.index, guard: t.guard }, modRevision: kv.modRevision };
}

/** The net effect of ops in order on state/: each key once, its last op (etcd refuses a txn naming a key twice). */
export function netOps(txns: readonly (readonly StorageOp[])[]): Map<string, StorageOp> {
  const net = new Map<string, StorageOp>();
  for (const ops of txns) for (const o of ops) net.delete(o.key), net.set(o.key, o);
  return net;
}

function stateOpBytes(prefix: string, o: StorageOp): number {
  return PER_OP_BYTES + Buffer.byteLength(stateKey(prefix, o.key)) + (o.op === 'put' ? o.value.length : 0);
}

/** Operations and estimated request bytes of the txn that appends these transactions. */
export function txnCost(prefix: string, leaderKey: string, txns: readonly (readonly StorageOp[])[]): { ops: number; bytes: number } {
  const net = netOps(txns);
  let bytes = encodedBatchOverhead(BATCH_ID_BYTES, txns.length) + PER_OP_BYTES + Buffer.byteLength(haLogKey(prefix, 1)) + TIP_BYTES + 3 * (PER_OP_BYTES + Buffer.byteLength(leaderKey));
  for (const ops of txns) for (const o of ops) bytes += encodedOpBytes(o);
  for (const o of net.values()) bytes += stateOpBytes(prefix, o);
  return { ops: net.size + 2, bytes };
}

export const fits = (c: { ops: number; bytes: number }, l: TxnLimits): boolean => c.ops <= l.maxOps && c.bytes <= l.maxBytes;

export interface BatchPart {
  before: LogPosition;
  after: LogPosition;
  txns: StorageOp[][];
}

/**
 * Split one local commit into as few appends as the limits allow, only
 * between storage transactions (a follower never sees half of one). A single
 * transaction over the limits throws TxnTooLargeError.
 */
export function splitAtTxns(prefix: string, leaderKey: string, before: LogPosition, txns: readonly CarriedTxn[], limits: TxnLimits): BatchPart[] {
  const parts: BatchPart[] = [];
  let cur: CarriedTxn[] = [];
  let start = before;
  const flush = () => {
    if (!cur.length) return;
    parts.push({ before: start, after: cur[cur.length - 1].after, txns: cur.map((t) => t.ops) });
    start = cur[cur.length - 1].after;
    cur = [];
  };
  for (const t of txns) {
    const alone = txnCost(prefix, leaderKey, [t.ops]);
    if (!fits(alone, limits)) throw new TxnTooLargeError(alone.ops, alone.bytes, limits);
    if (cur.length && !fits(txnCost(prefix, leaderKey, [...cur, t].map((x) => x.ops)), limits)) flush();
    cur.push(t);
  }
  flush();
  return parts;
}

/** The fenced txn that appends `batch` as seq seen+1. */
export function buildBatchTxn(prefix: string, seen: SeenHaTip, leader: Leadership, batch: HaBatch, limits: TxnLimits = DEFAULT_TXN_LIMITS): TxnRequest {
  if (!leader.lease || leader.createRevision < 1) throw new EtcdError('invalid_argument', 'HA log append: no leadership to fence with');
  if (seen.modRevision === 0 && seen.tip.seq !== 0) throw new EtcdError('invalid_argument', 'HA log append: a tip past seq 0 must have been read from etcd');
  const cost = txnCost(prefix, leader.key, batch.txns);
  if (!fits(cost, limits)) throw new TxnTooLargeError(cost.ops, cost.bytes, limits);
  const seq = seen.tip.seq + 1;
  const state: RequestOp[] = [...netOps(batch.txns).values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((o) => (o.op === 'put' ? { op: 'put', key: stateKey(prefix, o.key), value: o.value } : { op: 'delete', key: stateKey(prefix, o.key) }));
  return {
    compare: [
      { key: haTipKey(prefix), target: 'mod', result: 'EQUAL', revision: seen.modRevision },
      { key: leader.key, target: 'lease', result: 'EQUAL', lease: leader.lease },
      { key: leader.key, target: 'create', result: 'EQUAL', revision: leader.createRevision },
    ],
    success: [{ op: 'put', key: haLogKey(prefix, seq), value: encodeBatch(batch) }, ...state, { op: 'put', key: haTipKey(prefix), value: encodeTip({ seq, index: batch.after.index, guard: batch.after.guard }) }],
    failure: [
      { op: 'range', key: haTipKey(prefix) },
      { op: 'range', key: leader.key },
    ],
  };
}

/** Deletes every batch up to and including `throughSeq` (history a member that far behind repairs from state/ instead). */
export function buildTrimTxn(prefix: string, throughSeq: number): TxnRequest {
  return { compare: [], success: [{ op: 'delete', key: haLogKey(prefix, 1), rangeEnd: haLogKey(prefix, throughSeq + 1) }], failure: [] };
}

/** The seq a `P log/<seq>` key names, or null for any other key. */
export function seqOfLogKey(prefix: string, key: string): number | null {
  const lp = haLogPrefix(prefix);
  if (!key.startsWith(lp)) return null;
  const n = Number(key.slice(lp.length));
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
