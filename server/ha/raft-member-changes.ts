import type { EtcdClient, Member } from './etcd-client';
import { EtcdError } from './etcd-error';
import { NODES_DIR } from './raft-registry';

// etcd membership changes as a raft cluster makes them: joiners are added as
// learners (no quorum change while they start and catch up) and promoted by
// any voter once in sync; every change is retried through etcd's strict
// reconfig check (it refuses changes until every member has been connected
// for 5 s).

/** How long a membership change is retried through etcd's strict reconfig check. */
export const RECONFIG_TIMEOUT_MS = 90_000;
const RECONFIG_RETRY_MS = 500;

/** A member added for `serverId` but never started (etcd knows only its peer URL), found through the registry. */
export async function findUnstarted(client: EtcdClient, prefix: string, members: Member[], serverId: string): Promise<Member | undefined> {
  const rec = (await client.get(prefix + NODES_DIR + serverId))?.value;
  if (!rec) return undefined;
  const peerUrl = (JSON.parse(rec.toString()) as { peer_url: string }).peer_url;
  return members.find((m) => m.peerUrls.includes(peerUrl));
}

/** A membership change, retried while etcd's strict reconfig check says the cluster is not ready for it. */
export async function untilReconfigAccepted<T>(change: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RECONFIG_TIMEOUT_MS;
  for (;;) {
    try {
      return await change();
    } catch (err) {
      const retry = err instanceof EtcdError && (err.transient || /unhealthy cluster|not enough started members/.test(err.message));
      if (!retry || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, RECONFIG_RETRY_MS));
    }
  }
}

/** member add as a learner (a member added before but never started is reused). */
export async function addLearner(client: EtcdClient, peerUrl: string): Promise<Member[]> {
  return untilReconfigAccepted(async () => {
    const current = await client.memberList();
    if (current.some((m) => m.peerUrls.includes(peerUrl))) return current;
    return (await client.memberAdd([peerUrl], { learner: true })).members;
  });
}

/**
 * Every voter promotes started learners that have caught up (etcd refuses
 * the rest, and a second promotion of the same member); so a join completes
 * even when the node that admitted it is gone.
 */
export async function promoteLearners(client: EtcdClient): Promise<void> {
  try {
    for (const m of await client.memberList()) if (m.isLearner && m.name) await client.memberPromote(m.id).catch(() => undefined);
  } catch {
    // this member is a learner itself, or etcd is unreachable: the next tick tries again
  }
}

/** How long to wait for a member list after a removal (etcd elects a new leader when the removed member led). */
const AFTER_REMOVE_WAIT_MS = 30_000;

/**
 * member remove, done once the member is out. Removing the member that is
 * etcd's own raft leader commits the change and then steps it down: the answer
 * can be lost with it, and a retry answers "member not found" — for a removal
 * that happened. So on an error, the member list decides.
 */
export async function removeMember(client: EtcdClient, memberId: bigint): Promise<void> {
  try {
    await untilReconfigAccepted(() => client.memberRemove(memberId));
  } catch (err) {
    if (!(await memberGone(client, memberId))) throw err;
  }
}

async function memberGone(client: EtcdClient, memberId: bigint): Promise<boolean> {
  const deadline = Date.now() + AFTER_REMOVE_WAIT_MS;
  for (;;) {
    try {
      return !(await client.memberList()).some((m) => m.id === memberId);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, RECONFIG_RETRY_MS));
    }
  }
}
