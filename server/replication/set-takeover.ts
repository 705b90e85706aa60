import type { ReplicationManager } from './manager';
import type { PerformanceSetRecord } from './performance-set';

// The performance side of a DR promotion (issue 8 item 9). When the promoted
// cluster's former primary led a performance set, the promoted cluster leads
// it now: the mirrored record (performance-set.ts) gives it the set's id,
// known secondaries, CA and signing key, so the performance secondaries'
// certificates still authenticate here and they re-point with update-primary —
// a new activation token, or just update_primary_addrs — without a wipe.

/**
 * Before the DR promotion commits: serve with the set's CA and token signing
 * key (this node's own keys, which a DR secondary may write), so the node
 * mints no CA of its own. Returns the set to take over, or null.
 */
export function adoptSetCredentials(mgr: ReplicationManager): PerformanceSetRecord | null {
  const set = mgr.store.performanceSet();
  if (!set?.ca || !set.signingKey) return null;
  const perf = mgr.state('performance');
  // A role this node held in that set before — an old primary, demoted and re-joined as a DR
  // secondary, now promoted back (fail-back) — is stale: the set has moved on past it.
  const stale = (perf.mode === 'primary' || perf.mode === 'secondary') && perf.clusterId === set.clusterId && perf.epoch < set.epoch;
  if (perf.mode !== 'disabled' && !stale) return null;
  mgr.store.adoptSetCredentials(set);
  return set;
}

/** After the DR promotion committed (this node writes as a primary now): lead the set, one epoch past it. */
export async function takeOverSet(mgr: ReplicationManager, set: PerformanceSetRecord, how: { primaryClusterAddr: string; at: string }): Promise<void> {
  const dr = mgr.state('dr');
  // Whatever the stale role still ran goes first.
  await mgr.stopSecondary('performance');
  mgr.dropAllStreams('performance');
  const event = {
    type: 'take-over-set' as const,
    clusterId: set.clusterId,
    epoch: set.epoch,
    secondaries: set.secondaries.map((k) => ({ ...k })),
    primaryClusterAddr: how.primaryClusterAddr,
    at: how.at,
    // One cluster listener serves both modes: the former DR primary is the former performance primary.
    formerPrimaryApiAddr: dr.formerPrimaryApiAddr,
    formerPrimaryClusterAddr: dr.formerPrimaryClusterAddr,
  };
  const next = mgr.transition('performance', event, [...mgr.store.bundleOps('performance', null), ...mgr.store.formerPrimaryCredentialsOps('performance', null)]);
  mgr.logger.warn({ clusterId: next.clusterId, epoch: next.epoch, secondaries: next.secondaries.filter((k) => !k.revoked).map((k) => k.id) }, 'took over the performance replication set of the former primary');
}
