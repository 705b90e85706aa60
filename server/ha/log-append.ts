import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import type { Leadership } from './election';
import type { TxnRequest } from './etcd-txn';
import type { Bytes, KeyValue } from './etcd-wire';

// The one write primitive of the HA log (ARCHITECTURE.md: "etcd txn: compare
// log tip + leader lease → commit"). A batch of records lands at indices
// tip+1…tip+n together with the new tip, only if
//   - the tip key is exactly the one the writer saw (its mod revision, so an
//     append that came and went in between is seen too), and
//   - the leader key is still this writer's term (same lease, same create
//     revision: a resign-and-win-again starts a new term).
// So two nodes can never both extend the log, and a deposed leader's append
// fails inside etcd, however late it arrives. The builder is pure (property
// tested); the runner sends it and says why it failed.
//
// Layout under `prefix`: `tip` holds the last index (decimal); `log/<index>`
// holds a record, the index zero-padded so key order is index order.

export const LOG_INDEX_DIGITS = 20;
/** etcd's --max-txn-ops default is 128 per branch: the records plus the tip put. */
export const MAX_BATCH_RECORDS = 127;
/** Under etcd's --max-request-bytes default (1.5 MiB), with room for keys and compares. */
export const MAX_BATCH_BYTES = 1024 * 1024;

/** The tip as a writer saw it: modRevision 0 while the log is empty (the tip key is absent). */
export interface SeenTip {
  index: number;
  modRevision: number;
}

export type AppendResult =
  | { ok: true; first: number; last: number; tip: SeenTip }
  | { ok: false; reason: 'stale_tip' | 'not_leader'; tip: SeenTip };

export const tipKey = (prefix: string): string => `${prefix}tip`;

export function logKey(prefix: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 1) throw new EtcdError('invalid_argument', `log index ${index} is not a positive integer`);
  return `${prefix}log/${String(index).padStart(LOG_INDEX_DIGITS, '0')}`;
}

export function buildAppendTxn(prefix: string, seen: SeenTip, leader: Leadership, records: readonly Bytes[]): TxnRequest {
  if (records.length === 0) throw new EtcdError('invalid_argument', 'log append: empty batch');
  if (records.length > MAX_BATCH_RECORDS) throw new EtcdError('invalid_argument', `log append: ${records.length} records (at most ${MAX_BATCH_RECORDS} per batch)`);
  const bytes = records.reduce((n, r) => n + (typeof r === 'string' ? Buffer.byteLength(r) : r.byteLength), 0);
  if (bytes > MAX_BATCH_BYTES) throw new EtcdError('invalid_argument', `log append: ${bytes} bytes (at most ${MAX_BATCH_BYTES} per batch)`);
  if (!Number.isSafeInteger(seen.index) || seen.index < 0 || !Number.isSafeInteger(seen.modRevision) || seen.modRevision < 0) {
    throw new EtcdError('invalid_argument', `log append: bad tip ${JSON.stringify(seen)}`);
  }
  if ((seen.index === 0) !== (seen.modRevision === 0)) throw new EtcdError('invalid_argument', 'log append: an empty log has no tip revision, and only it');
  if (!leader.lease || leader.createRevision < 1) throw new EtcdError('invalid_argument', 'log append: no leadership to fence with');
  const last = seen.index + records.length;
  return {
    compare: [
      { key: tipKey(prefix), target: 'mod', result: 'EQUAL', revision: seen.modRevision },
      { key: leader.key, target: 'lease', result: 'EQUAL', lease: leader.lease },
      { key: leader.key, target: 'create', result: 'EQUAL', revision: leader.createRevision },
    ],
    success: [
      ...records.map((value, i) => ({ op: 'put' as const, key: logKey(prefix, seen.index + 1 + i), value })),
      { op: 'put', key: tipKey(prefix), value: String(last) },
    ],
    failure: [
      { op: 'range', key: tipKey(prefix) },
      { op: 'range', key: leader.key },
    ],
  };
}

export function tipOf(kv: KeyValue | undefined): SeenTip {
  if (!kv) return { index: 0, modRevision: 0 };
  const index = Number(kv.value.toString('utf8'));
  if (!Number.isSafeInteger(index) || index < 1) throw new EtcdError('bad_response', `log tip holds ${JSON.stringify(kv.value.toString('utf8'))}`);
  return { index, modRevision: kv.modRevision };
}

export async function readTip(client: EtcdClient, prefix: string): Promise<SeenTip> {
  return tipOf((await client.range(tipKey(prefix))).kvs[0]);
}

/** Sends one append; `ok: false` says whether the tip moved or leadership is gone (then stop acknowledging). */
export async function appendBatch(client: EtcdClient, prefix: string, seen: SeenTip, leader: Leadership, records: readonly Bytes[]): Promise<AppendResult> {
  const r = await client.txn(buildAppendTxn(prefix, seen, leader, records));
  if (r.succeeded) return { ok: true, first: seen.index + 1, last: seen.index + records.length, tip: { index: seen.index + records.length, modRevision: r.header.revision } };
  const [tipRange, leaderRange] = r.responses.map((x) => (x.op === 'range' ? x.result.kvs[0] : undefined));
  const stillLeader = leaderRange !== undefined && leaderRange.lease === leader.lease && leaderRange.createRevision === leader.createRevision;
  return { ok: false, reason: stillLeader ? 'stale_tip' : 'not_leader', tip: tipOf(tipRange) };
}

/** Records from index `from` up to `to` (inclusive), in index order: what followers apply. */
export async function readRecords(client: EtcdClient, prefix: string, from: number, to: number): Promise<{ index: number; value: Buffer }[]> {
  if (to < from) return [];
  const r = await client.range(logKey(prefix, from), { rangeEnd: logKey(prefix, to) + '\0' });
  return r.kvs.map((kv) => ({ index: Number(kv.key.slice(kv.key.lastIndexOf('/') + 1)), value: kv.value }));
}
