import type { Core } from '../../core/core';
import type { Route } from '../../core/route';

// sys/storage/raft/configuration: the peers of this cluster's storage, in
// Vault's shape (`vault operator raft list-peers` reads it). This is the answer
// of a node without storage "raft" (dev mode): itself, the leader and a voter,
// at the address of its cluster port. A storage "raft" node answers from its
// etcd member list instead (engines/sys/raft-peers.ts, ha/raft-peers.ts).
const PROTOCOL_VERSION = '3'; // Vault's raft protocol version string

/** "https://127.0.0.1:8201" → "127.0.0.1:8201", the form Vault lists peers in. */
function hostPort(clusterAddr: string): string {
  try {
    return new URL(clusterAddr).host;
  } catch {
    return clusterAddr;
  }
}

export const raftConfigurationRoutes: Route<Core>[] = [
  {
    pattern: 'sys/storage/raft/configuration',
    ops: {
      read: ({ core }) => ({
        data: {
          config: {
            // The configuration has not changed since the store was created: one server, from the start.
            index: 0,
            servers: [{ node_id: core.opts.nodeId ?? '', address: hostPort(core.opts.clusterAddr), leader: true, voter: true, protocol_version: PROTOCOL_VERSION }],
          },
        },
      }),
    },
  },
];
