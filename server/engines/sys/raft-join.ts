import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import type { RaftCluster } from '../../ha/raft-cluster';
import type { RaftJoiner } from '../../ha/raft-joiner';
import { TooManyJoinRequests } from '../../ha/join-leader';
import { bool, rawJson, str } from './respond';

// sys/storage/raft/join on the NEW node (unauthenticated and served while
// uninitialized, as Vault's http/sys_raft.go), and the leader's
// sys/storage/raft/bootstrap/challenge and …/answer (unauthenticated, like
// Vault's; answered only while unsealed). Our own wire: ha/join-*.ts.

const TOO_MANY_STATUS = 429;

/**
 * Vault's non-voters would be etcd learners here, and stay learners: etcd
 * serves a learner no watch and no linearizable read (etcd 3.4 refuses every
 * stream RPC on one), which is how a node follows the cluster's log. So a
 * joiner is a learner only until it is in sync, then a voter.
 */
const NON_VOTER_REFUSAL =
  "raft join: non-voters are not available here: a Coffer node follows the cluster's log through its own etcd member, and an etcd learner (what a non-voter would be) serves neither watches nor linearizable reads; join as a voter (a joiner is a learner only until it is in sync)";

export function raftJoinRoutes(cluster: RaftCluster, joiner: RaftJoiner): Route<Core>[] {
  return [
    {
      pattern: 'sys/storage/raft/join',
      unauthenticated: true,
      whileSealed: true,
      ops: {
        update: async ({ data }) => {
          if (data.auto_join !== undefined && data.auto_join !== '') throw badRequest('auto_join is not available here: Coffer cannot discover cloud instances by tag; give leader_api_addr instead');
          if (bool(data, 'non_voter')) throw badRequest(NON_VOTER_REFUSAL);
          const leaderApiAddr = str(data, 'leader_api_addr');
          if (!leaderApiAddr) throw badRequest('leader_api_addr is required');
          const target = { leaderApiAddr, leaderCaCert: str(data, 'leader_ca_cert') || undefined, leaderClientCert: str(data, 'leader_client_cert') || undefined, leaderClientKey: str(data, 'leader_client_key') || undefined };
          await joiner.join([target], bool(data, 'retry'));
          return rawJson({ joined: true });
        },
      },
    },
    {
      pattern: 'sys/storage/raft/bootstrap/challenge',
      unauthenticated: true,
      ops: {
        update: ({ data, req }) => {
          try {
            return rawJson(cluster.gate.challenge(data.server_id, req.remoteAddr));
          } catch (err) {
            if (err instanceof TooManyJoinRequests) return rawJson({ errors: [err.message] }, TOO_MANY_STATUS);
            throw err;
          }
        },
      },
    },
    {
      pattern: 'sys/storage/raft/bootstrap/answer',
      unauthenticated: true,
      ops: { update: async ({ data, req }) => rawJson(await cluster.gate.answer(data, req.remoteAddr)) },
    },
  ];
}
