import type { Logger } from '../log';
import { samePosition } from '../storage/quorum';
import type { SqliteBackend } from '../storage/sqlite';
import type { EtcdClient } from './etcd-client';
import { type AppliedMarker, markerOp, positionOf } from './ha-log-applied';
import { repairFromCluster, readStateAt } from './ha-log-state';
import { decodeTip, haLogKey, haTipKey } from './ha-log-txn';
import { readBatches } from './log-append';

// A repair that keeps this node's replication log (ha-design.md decision 5,
// refined): the WalLog records up to the last position etcd acknowledged are
// the cluster's own — every node applied the same batches, so the same
// indices and guards — and a DR or performance secondary behind etcd's tip
// resumes from them. Only what came after (writes etcd may never have taken)
// is dropped: the carried state goes back to etcd's `P state/` as it was at
// that position (the revision just before the next batch: state/ changes only
// with appends), then the batches etcd still holds are applied through the
// follower's own entry point, which recreates their records at the recorded
// positions. When etcd no longer has that history (batches trimmed, the
// revision compacted, another history under the prefix), it falls back to
// the full replace from state/ at the tip, which restarts the WalLog there.

/** Batches read per range while replaying to the tip. */
const REPLAY_PAGE = 200;

/** Repair `storage` to etcd's tip, keeping WalLog records up to `ack` (this node's last acknowledged position) when etcd still allows. */
export async function repairKeepingLog(client: EtcdClient, prefix: string, storage: SqliteBackend, logger: Logger, ack: AppliedMarker | null): Promise<AppliedMarker> {
  if (ack && ack.prefix === prefix && ack.revision > 0) {
    try {
      const kept = await replayFromAcknowledged(client, prefix, storage, logger, ack);
      if (kept) return kept;
    } catch (err) {
      logger.warn({ err: (err as Error).message, seq: ack.seq, index: ack.index }, 'HA log: cannot repair from the acknowledged position; replacing the state from the cluster state');
    }
  }
  return repairFromCluster(client, prefix, storage, logger);
}

/** null when etcd's history does not reach back to `ack` (the caller replaces from state/). */
async function replayFromAcknowledged(client: EtcdClient, prefix: string, storage: SqliteBackend, logger: Logger, ack: AppliedMarker): Promise<AppliedMarker | null> {
  const tipRange = await client.range(haTipKey(prefix));
  if (!tipRange.kvs[0]) return null;
  const seen = decodeTip(tipRange.kvs[0]);
  if (seen.tip.seq < ack.seq) return null;
  let stateRevision = tipRange.header.revision;
  if (seen.tip.seq > ack.seq) {
    const next = await client.get(haLogKey(prefix, ack.seq + 1));
    if (!next) return null; // trimmed
    stateRevision = next.modRevision - 1;
  }
  // The tip at that revision must be this node's acknowledged position: the same history, not a reseeded prefix.
  const then = decodeTip((await client.range(haTipKey(prefix), { revision: stateRevision })).kvs[0]);
  if (then.tip.seq !== ack.seq || !samePosition(positionOf(then.tip), positionOf(ack))) return null;
  const entries = await readStateAt(client, prefix, stateRevision);
  const before = storage.position();
  let applied: AppliedMarker = { prefix, seq: ack.seq, revision: stateRevision, index: ack.index, guard: ack.guard, leading: false };
  storage.replaceCarried(entries, positionOf(ack), markerOp(applied), true);
  // Each apply is atomic with its marker: a failure part-way leaves a consistent older state (the caller then replaces).
  while (applied.seq < seen.tip.seq) {
    const from = applied.seq + 1;
    const got = await readBatches(client, prefix, from, Math.min(seen.tip.seq, from + REPLAY_PAGE - 1));
    if (got[0]?.seq !== from) throw new Error(`etcd no longer holds batch ${from}`);
    for (const { seq, modRevision, batch } of got) {
      if (seq !== applied.seq + 1) throw new Error(`etcd no longer holds batch ${applied.seq + 1}`);
      const next: AppliedMarker = { prefix, seq, revision: modRevision, index: batch.after.index, guard: batch.after.guard, leading: false };
      storage.applyCommitted(batch.txns, batch, markerOp(next));
      applied = next;
    }
  }
  if (!samePosition(storage.position(), positionOf(seen.tip))) throw new Error(`local position ${storage.position().index} is not etcd's tip ${seen.tip.index} after replay`);
  logger.warn(
    { seq: applied.seq, kept_through: ack.index, dropped_from: ack.index + 1, dropped_to: before.index, to_index: applied.index, replayed: applied.seq - ack.seq },
    'HA log: repaired local state from the cluster state, keeping the acknowledged WalLog records',
  );
  return applied;
}
