import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import type { HaLeaderStatus } from '../../ha/ha-slot';
import { noContent, rawJson } from './respond';
import { badRequest } from '../../errors';
import { NODE_PROOF_PATH, proveNode } from '../../ha/node-proof';

// sys/leader, sys/ha-status and sys/step-down (Vault's HA endpoints). A single
// node (no HA runtime in the core's slot) answers as Vault does without HA:
// ha_enabled false, itself the leader, step-down a no-op.

function singleNode(core: Core): HaLeaderStatus {
  return {
    ha_enabled: false,
    is_self: true,
    active_time: '0001-01-01T00:00:00Z',
    leader_address: core.opts.apiAddr,
    leader_cluster_address: core.opts.clusterAddr,
    performance_standby: false,
    performance_standby_last_remote_wal: 0,
    raft_committed_index: 0,
    raft_applied_index: 0,
  };
}

export const haRoutes: Route<Core>[] = [
  {
    pattern: 'sys/leader',
    unauthenticated: true,
    ops: {
      read: ({ core }) => {
        const rt = core.opts.ha?.runtime;
        if (!rt) {
          const { raft_committed_index: _c, raft_applied_index: _a, ...rest } = singleNode(core);
          return rawJson(rest);
        }
        return rawJson(rt.leaderStatus());
      },
    },
  },
  {
    pattern: 'sys/ha-status',
    ops: {
      read: async ({ core, req }) => {
        const rt = core.opts.ha?.runtime;
        const nodes = rt
          ? await rt.nodes()
          : [
              {
                hostname: core.opts.nodeId ?? '',
                api_address: core.opts.apiAddr,
                cluster_address: core.opts.clusterAddr,
                active_node: true,
                last_echo: null,
                echo_duration_ms: 0,
                clock_skew_ms: 0,
                version: core.sealStatus().version,
                replication_primary_canary_age_ms: 0,
              },
            ];
        const data = { nodes };
        // Vault's api.HAStatusResponse reads a top-level "Nodes"; the data block carries the same list.
        return { raw: { status: 200, body: { Nodes: nodes, request_id: req.id, lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null } } };
      },
    },
  },
  {
    // Coffer's own: a standby asks the node etcd names as active to prove it holds the root key before forwarding a client's token to it (ha/node-proof.ts).
    pattern: NODE_PROOF_PATH,
    unauthenticated: true,
    ops: {
      read: ({ core, data }) => {
        const key = core.barrier.exportRootKey(); // sealed: 503, no proof
        try {
          const proof = proveNode(key, data.nonce, core.opts.nodeId ?? '', core.opts.apiAddr);
          if (!proof) throw badRequest('nonce must be 32 hex digits');
          return rawJson({ node_id: core.opts.nodeId ?? '', proof });
        } finally {
          key.fill(0);
        }
      },
    },
  },
  {
    pattern: 'sys/step-down',
    sudo: true,
    ops: {
      // On a standby the request never gets here: ha-gate.ts forwards it to the active.
      update: async ({ core }) => {
        await core.opts.ha?.runtime?.stepDown();
        return noContent();
      },
    },
  },
];
