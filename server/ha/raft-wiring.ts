import type { RetryJoinConfig } from '../config-raft';
import type { Core, CoreWiring, RequestGate } from '../core/core';
import { badRequest } from '../errors';
import { compileRoutes } from '../core/route';
import { raftJoinRoutes } from '../engines/sys/raft-join';
import { raftPeerRoutes } from '../engines/sys/raft-peers';
import type { Logger } from '../log';
import type { MemberAddresses } from './raft-addresses';
import { RaftCluster, type StartHa } from './raft-cluster';
import { RaftJoiner } from './raft-joiner';

// storage "raft"'s part of a node (server/node.ts): the join, peers and
// autopilot routes ahead of the built-in one-node answers, and the member's
// lifecycle — restarted at start-up when this node already is one, retry_join
// while the node is uninitialized, stopped after the API has closed.

export interface RaftNodeOptions {
  addrs: MemberAddresses;
  retryJoin: RetryJoinConfig[];
  /** The PATH to find `etcd` on (main passes process.env.PATH). */
  pathEnv: string;
}

export interface RaftParts {
  cluster: RaftCluster;
  joiner: RaftJoiner;
}

export function wireRaft(
  core: Core,
  wiring: CoreWiring,
  opts: RaftNodeOptions & { nodeId: string; apiAddr: string; clusterAddr: string; storagePath: string; logger: Logger; startHa?: StartHa },
): { wiring: CoreWiring; parts: RaftParts } {
  const cluster = new RaftCluster({ ...opts, core });
  const joiner = new RaftJoiner(cluster);
  const routes = compileRoutes<Core>([...raftJoinRoutes(cluster, joiner), ...raftPeerRoutes(cluster)]);
  const preAuthGates = [raftGate(core, cluster), ...(wiring.preAuthGates ?? [])];
  return { wiring: { ...wiring, builtinRoutes: [...routes, ...wiring.builtinRoutes], preAuthGates }, parts: { cluster, joiner } };
}

/**
 * A removed node keeps a copy of the cluster's data: unsealed, it would serve
 * as a second, diverging cluster, so it refuses to unseal or admit anyone. A
 * node waiting to finish a join is unsealed with the cluster's keys, never
 * initialized as a cluster of its own.
 */
function raftGate(core: Core, cluster: RaftCluster): RequestGate {
  return (req) => {
    if (cluster.removed && (req.path === 'sys/unseal' || req.path.startsWith('sys/storage/raft/bootstrap/'))) {
      throw badRequest('this node was removed from its raft cluster (remove-peer): it no longer serves the cluster\'s data; start it on a new, empty path to join again');
    }
    if (core.seal.pendingJoin && req.path === 'sys/init' && req.operation === 'update') {
      throw badRequest('this node is joining a raft cluster: unseal it with the cluster\'s unseal keys instead of initializing it');
    }
    return null;
  };
}

export function startRaft(parts: RaftParts, core: Core, retryJoin: RetryJoinConfig[]): void {
  parts.cluster.start();
  if (!core.barrier.initialized() && !parts.cluster.isMember) parts.joiner.retryJoin(retryJoin);
}

export async function stopRaft(parts: RaftParts): Promise<void> {
  parts.joiner.closed = true;
  await parts.cluster.close();
}
