import { createHash } from 'node:crypto';
import type { ReplicationModeStatus, ReplicationPeer, ReplicationStatusPair } from '../../lib/types/replication';
import { supersession } from './fencing';
import type { ReplicationManager } from './manager';
import type { Mode } from './state';

// Status payloads with Vault's field names (reference §3). Counters are
// numbers; *_ms and *_epoch fields are strings, as Vault sends them. The
// shapes are lib/types/replication.ts (the console reads the same types):
// every literal here is checked against them, conditional parts with
// `satisfies`, so a field renamed on either side fails the type check.
/** A conditional part of a status payload. */
type StatusPart = Partial<ReplicationModeStatus>;
const NEVER_CHECKED = '-62135596800';
const iso = (ms: number) => (ms ? new Date(ms).toISOString() : '');

function merkleRoot(mgr: ReplicationManager, m: Mode): string {
  const p = mgr.opts.physical;
  if (m === 'performance') return p.merkleRoot('replicated');
  return createHash('sha1').update(p.merkleRoot('replicated')).update(p.merkleRoot('local')).digest('hex');
}

/**
 * Computed, never constants (storage/merkle-health.ts): corruption found by the
 * last merkle-check or at open, until a reindex; a running reindex's stage and progress.
 */
function merkleTruth(mgr: ReplicationManager): StatusPart {
  const h = mgr.opts.physical.health;
  const epoch = (ms: number) => String(Math.floor(ms / 1000));
  const r = h.reindex;
  return {
    corrupted_merkle_tree: h.corrupted,
    last_reindex_epoch: h.lastReindexAt ? epoch(h.lastReindexAt) : '0',
    last_corruption_check_epoch: h.lastCheckAt ? epoch(h.lastCheckAt) : NEVER_CHECKED,
    reindex_in_progress: r.inProgress,
    ...(r.inProgress && r.stage ? { reindex_stage: r.stage, reindex_building_progress: r.buildingProgress, reindex_building_total: r.buildingTotal } : {}),
  };
}

export function modeStatus(mgr: ReplicationManager, m: Mode): ReplicationModeStatus {
  const s = mgr.state(m);
  if (s.mode === 'disabled') return { mode: 'disabled' };
  const lastWal = mgr.opts.physical.committedIndex;
  const common: ReplicationModeStatus = {
    mode: s.mode,
    cluster_id: s.clusterId,
    merkle_root: merkleRoot(mgr, m),
    last_wal: lastWal,
    ...merkleTruth(mgr),
    ssct_generation_counter: 0,
    epoch: s.epoch,
  };
  if (s.mode === 'primary') {
    const fence = supersession(mgr, m); // storage refuses client writes while a newer primary leads the set
    const streams = mgr.streams[m];
    return {
      ...common,
      state: fence ? 'idle' : 'running',
      primary_cluster_addr: s.primaryClusterAddr,
      known_secondaries: s.secondaries.filter((k) => !k.revoked).map((k) => k.id),
      ...((m === 'dr' ? { last_dr_wal: lastWal } : { last_performance_wal: lastWal }) satisfies StatusPart),
      secondaries: s.secondaries
        .filter((k) => !k.revoked)
        .map((k): ReplicationPeer => {
          const link = streams.get(k.id)?.link;
          return {
            node_id: k.id,
            api_address: link?.apiAddress ?? '',
            cluster_address: link?.clusterAddress ?? '',
            connection_status: link?.connected ? 'connected' : 'disconnected',
            last_heartbeat: iso(link?.lastHeartbeat ?? 0),
            last_heartbeat_duration_ms: String(link?.lastHeartbeatDurationMs ?? 0),
            clock_skew_ms: String(link?.clockSkewMs ?? 0),
            replication_primary_canary_age_ms: String(link?.lastHeartbeat ? Date.now() - link.lastHeartbeat : 0),
            acked_wal: link?.ackedIndex ?? 0,
            // Coffer: why this link was given up (liveness, continuity, an error frame from either side).
            ...(link?.lastError ? { last_error: link.lastError } : {}),
          };
        }),
      ...(fence ? ({ superseded_by: fence.by, last_error: fence.reason } satisfies StatusPart) : {}),
      ...(s.promotedAt ? ({ promoted_at: s.promotedAt } satisfies StatusPart) : {}),
      ...(s.stalePrimaryWarning ? ({ stale_primary_warning: s.stalePrimaryWarning } satisfies StatusPart) : {}),
    };
  }
  const r = mgr.runners[m];
  const state = s.mode === 'bootstrapping' ? 'bootstrapping' : (r?.state ?? 'idle');
  return {
    ...common,
    state,
    connection_state: r?.connectionState ?? (s.primaryClusterAddrInUse ? 'connecting' : 'idle'),
    secondary_id: s.secondaryId,
    primary_cluster_addr: s.primaryClusterAddrInUse,
    known_primary_cluster_addrs: s.knownPrimaryClusterAddrs.length ? s.knownPrimaryClusterAddrs : s.primaryClusterAddrInUse ? [s.primaryClusterAddrInUse] : [],
    last_remote_wal: r?.coveredIndex ?? mgr.store.position(m).index,
    last_start: s.lastStart,
    lag_ms: r?.lagMs ?? 0,
    ...(r?.lastApplied.atMs
      ? ({
          last_applied_at_ms: r.lastApplied.atMs,
          last_applied_primary_commit_ms: r.lastApplied.primaryCommitMs,
          recent_applies: r.recentApplies.map((a) => ({ last_remote_wal: a.index, applied_at_ms: a.atMs, primary_commit_ms: a.primaryCommitMs })),
        } satisfies StatusPart)
      : {}),
    ...(state === 'merkle-sync' && r ? ({ merkle_sync_progress: r.syncProgress } satisfies StatusPart) : {}),
    ...(r?.lastError || s.lastError ? ({ last_error: r?.lastError || s.lastError } satisfies StatusPart) : {}),
    primaries: s.primaryClusterAddrInUse
      ? [
          {
            api_address: s.primaryApiAddr,
            cluster_address: s.primaryClusterAddrInUse,
            connection_status: r?.connectionState === 'ready' ? 'connected' : 'disconnected',
            last_heartbeat: iso(r?.lastHeartbeat ?? 0),
            last_heartbeat_duration_ms: String(r?.lastHeartbeatDurationMs ?? 0),
            clock_skew_ms: String(r?.clockSkewMs ?? 0),
          },
        ]
      : [],
  };
}

export function replicationStatus(mgr: ReplicationManager): ReplicationStatusPair {
  return { dr: modeStatus(mgr, 'dr'), performance: modeStatus(mgr, 'performance') };
}
