import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import type { RaftCluster } from '../../ha/raft-cluster';
import { noContent, str } from './respond';
import { badRequest } from '../../errors';

// The peers of a raft cluster on etcd (ha/raft-peers.ts): configuration,
// remove-peer and autopilot state, in Vault's shapes.

export function raftPeerRoutes(cluster: RaftCluster): Route<Core>[] {
  return [
    {
      pattern: 'sys/storage/raft/configuration',
      ops: { read: async () => ({ data: { config: await cluster.configuration() } }) },
    },
    {
      pattern: 'sys/storage/raft/remove-peer',
      ops: {
        update: async ({ data }) => {
          const id = str(data, 'server_id');
          if (!id) throw badRequest('server_id is required');
          await cluster.removePeer(id);
          return noContent();
        },
      },
    },
    {
      pattern: 'sys/storage/raft/autopilot/state',
      ops: { read: async () => ({ data: { ...(await cluster.autopilot()) } }) },
    },
  ];
}
