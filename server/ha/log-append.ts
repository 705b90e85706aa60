import type { EtcdClient } from './etcd-client';
import type { Leadership } from './election';
import { decodeBatch, type HaBatch } from './ha-log-batch';
import { buildBatchTxn, DEFAULT_TXN_LIMITS, decodeTip, haLogKey, haTipKey, LOG_INDEX_DIGITS, type SeenHaTip, type TxnLimits } from './ha-log-txn';

// The one write primitive of the HA log (ARCHITECTURE.md: "etcd txn: compare
// log tip + leader lease → commit"): one batch (ha-log-batch.ts) lands at
// seq tip+1 together with its effect on `P state/` and the new tip
// (ha-log-txn.ts builds the txn, pure and property tested), only if
//   - the tip key is exactly the one the writer saw (its mod revision, so an
//     append that came and went in between is seen too), and
//   - the leader key is still this writer's term (same lease, same create
//     revision: a resign-and-win-again starts a new term).
// So two nodes can never both extend the log, and a deposed leader's append
// fails inside etcd, however late it arrives. This runner sends it and says
// why it failed.

export { LOG_INDEX_DIGITS };
export const logKey = haLogKey;

export type AppendResult = { ok: true; seq: number; seen: SeenHaTip } | { ok: false; reason: 'stale_tip' | 'not_leader'; seen: SeenHaTip };

export async function readTip(client: EtcdClient, prefix: string): Promise<SeenHaTip> {
  return decodeTip((await client.range(haTipKey(prefix))).kvs[0]);
}

/** Sends one append; `ok: false` says whether the tip moved or leadership is gone (then stop acknowledging). */
export async function appendBatch(client: EtcdClient, prefix: string, seen: SeenHaTip, leader: Leadership, batch: HaBatch, limits: TxnLimits = DEFAULT_TXN_LIMITS): Promise<AppendResult> {
  const r = await client.txn(buildBatchTxn(prefix, seen, leader, batch, limits));
  const seq = seen.tip.seq + 1;
  if (r.succeeded) return { ok: true, seq, seen: { tip: { seq, index: batch.after.index, guard: batch.after.guard }, modRevision: r.header.revision } };
  const [tipRange, leaderRange] = r.responses.map((x) => (x.op === 'range' ? x.result.kvs[0] : undefined));
  const stillLeader = leaderRange !== undefined && leaderRange.lease === leader.lease && leaderRange.createRevision === leader.createRevision;
  return { ok: false, reason: stillLeader ? 'stale_tip' : 'not_leader', seen: decodeTip(tipRange) };
}

/** Batches from seq `from` up to `to` (inclusive) still in etcd, in seq order: what a catching-up node applies. */
export async function readBatches(client: EtcdClient, prefix: string, from: number, to: number): Promise<{ seq: number; modRevision: number; batch: HaBatch }[]> {
  if (to < from) return [];
  const r = await client.range(haLogKey(prefix, from), { rangeEnd: haLogKey(prefix, to) + '\0' });
  return r.kvs.map((kv) => ({ seq: Number(kv.key.slice(kv.key.lastIndexOf('/') + 1)), modRevision: kv.modRevision, batch: decodeBatch(kv.value) }));
}
