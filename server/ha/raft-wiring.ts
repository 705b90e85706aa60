import type { RetryJoinConfig } from '../config-raft';
import type { Core, CoreWiring } from '../core/core';
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
  return { wiring: { ...wiring, builtinRoutes: [...routes, ...wiring.builtinRoutes] }, parts: { cluster, joiner } };
}

export function startRaft(parts: RaftParts, core: Core, retryJoin: RetryJoinConfig[]): void {
  parts.cluster.start();
  if (!core.barrier.initialized() && !parts.cluster.isMember) parts.joiner.retryJoin(retryJoin);
}

export async function stopRaft(parts: RaftParts): Promise<void> {
  parts.joiner.closed = true;
  await parts.cluster.close();
}
