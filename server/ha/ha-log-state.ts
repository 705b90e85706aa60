import type { Logger } from '../log';
import type { CarriedEntry } from '../storage/carried-state';
import { isQuorumCarried, type LogPosition } from '../storage/quorum';
import type { SqliteBackend } from '../storage/sqlite';
import type { Leadership } from './election';
import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import type { RequestOp } from './etcd-txn';
import { prefixEnd } from './etcd-wire';
import { type AppliedMarker, markerOp } from './ha-log-applied';
import { decodeTip, encodeTip, haTipKey, type SeenHaTip, stateKey, statePrefix, type TxnLimits } from './ha-log-txn';

// Bootstrap, repair and seeding through `P state/` (ha-design.md decision 5,
// "Single node stays light"). A repair reads the tip and every state key at
// ONE etcd revision — a consistent cut, because each append moves both in one
// txn — and installs it in one SQLite transaction. Seeding is the other way:
// a lone node's carried keys become the prefix's state, then the tip (seq 0)
// at its WalLog position, the tip last so a half-done seed is never followed.

const STATE_PAGE = 500;
const REPAIR_ATTEMPTS = 3;

export interface ClusterState {
  seen: SeenHaTip;
  revision: number;
  entries: CarriedEntry[];
}

/** Tip and state at one revision; null while the prefix has never been seeded. */
export async function readClusterState(client: EtcdClient, prefix: string): Promise<ClusterState | null> {
  const tipRange = await client.range(haTipKey(prefix));
  if (!tipRange.kvs[0]) return null;
  const revision = tipRange.header.revision;
  return { seen: decodeTip(tipRange.kvs[0]), revision, entries: await readStateAt(client, prefix, revision) };
}

/** Every `P state/` key as it was at `revision` (throws EtcdError `compacted` once etcd dropped that revision). */
export async function readStateAt(client: EtcdClient, prefix: string, revision: number): Promise<CarriedEntry[]> {
  const sp = statePrefix(prefix);
  const end = prefixEnd(sp);
  const entries: CarriedEntry[] = [];
  let from = sp;
  for (;;) {
    const r = await client.range(from, { rangeEnd: end, limit: STATE_PAGE, revision });
    for (const kv of r.kvs) entries.push({ key: kv.key.slice(sp.length), value: kv.value });
    if (!r.more || !r.kvs.length) break;
    from = r.kvs[r.kvs.length - 1].key + '\0';
  }
  return entries;
}

/** Replace this node's carried state with the cluster's; returns the marker written with it. Throws `unseeded` when the prefix holds no log. */
export async function repairFromCluster(client: EtcdClient, prefix: string, storage: SqliteBackend, logger: Logger): Promise<AppliedMarker> {
  for (let attempt = 1; ; attempt++) {
    let st: ClusterState | null;
    try {
      st = await readClusterState(client, prefix);
    } catch (err) {
      // Compacted between the tip read and a state page: read again at a newer revision.
      if (err instanceof EtcdError && err.code === 'compacted' && attempt < REPAIR_ATTEMPTS) continue;
      throw err;
    }
    if (!st) throw new EtcdError('invalid_argument', `HA log: etcd prefix ${prefix} holds no log to repair from (never seeded)`);
    const t = st.seen.tip;
    const marker: AppliedMarker = { prefix, seq: t.seq, revision: st.revision, index: t.index, guard: t.guard, leading: false };
    const before = storage.position();
    storage.replaceCarried(st.entries, { index: t.index, guard: t.guard }, markerOp(marker));
    logger.warn({ seq: t.seq, revision: st.revision, entries: st.entries.length, from_index: before.index, to_index: t.index }, 'HA log: repaired local state from the cluster state');
    return marker;
  }
}

/** This node's carried keys and WalLog position, read synchronously (nothing commits in between). */
export function localCarried(storage: SqliteBackend): { entries: CarriedEntry[]; position: LogPosition } {
  storage.commitBatch();
  const rows = storage.db.prepare<[], CarriedEntry>('SELECT key, value FROM entries ORDER BY key').all();
  return { entries: rows.filter((r) => isQuorumCarried(r.key)), position: storage.position() };
}

/**
 * Write `entries` as the prefix's state and then its tip (seq 0 at `position`),
 * fenced by `leader`; refused if a tip exists. Returns the tip as written.
 */
export async function seedCluster(client: EtcdClient, prefix: string, leader: Leadership, snap: { entries: CarriedEntry[]; position: LogPosition }, limits: TxnLimits): Promise<SeenHaTip> {
  const fence = [
    { key: haTipKey(prefix), target: 'create' as const, result: 'EQUAL' as const, revision: 0 },
    { key: leader.key, target: 'lease' as const, result: 'EQUAL' as const, lease: leader.lease },
    { key: leader.key, target: 'create' as const, result: 'EQUAL' as const, revision: leader.createRevision },
  ];
  const refused = (what: string) => new EtcdError('invalid_argument', `HA log seed of ${prefix}: ${what} (a tip exists or leadership is gone)`);
  const clear = await client.txn({ compare: fence, success: [{ op: 'delete', key: statePrefix(prefix), prefix: true }], failure: [] });
  if (!clear.succeeded) throw refused('clearing state/ refused');
  let chunk: RequestOp[] = [];
  let bytes = 0;
  const send = async () => {
    if (!chunk.length) return;
    const r = await client.txn({ compare: fence, success: chunk, failure: [] });
    if (!r.succeeded) throw refused('a state write was refused');
    chunk = [];
    bytes = 0;
  };
  for (const e of snap.entries) {
    const size = Buffer.byteLength(e.key) + e.value.length + 64;
    if (chunk.length + 1 > limits.maxOps - 1 || bytes + size > limits.maxBytes) await send();
    chunk.push({ op: 'put', key: stateKey(prefix, e.key), value: e.value });
    bytes += size;
  }
  await send();
  const tip = { seq: 0, index: snap.position.index, guard: snap.position.guard };
  const r = await client.txn({ compare: fence, success: [{ op: 'put', key: haTipKey(prefix), value: encodeTip(tip) }], failure: [] });
  if (!r.succeeded) throw refused('the tip write was refused');
  return { tip, modRevision: r.header.revision };
}
