import type { RetryJoinConfig } from '../config-raft';
import { badRequest, VaultError } from '../errors';
import { answerFor, openNonce, openReply, rootKeyFromShares, type SealRecord } from './join-challenge';
import { JoinCallError, leaderTargetFrom, postLeader, type LeaderTarget } from './join-client';
import type { ChallengeWire, JoinReply } from './join-leader';
import type { RaftCluster } from './raft-cluster';
import { forgetMember, type MemberRecord } from './raft-member-file';

// The joining node's half (Vault's `raft join` and retry_join): ask a leader
// for a challenge, show the cluster's share configuration while sealed, and
// when the operators' shares arrive, answer it, start this node's etcd member
// with what the leader sends back, let the HA log bring the cluster's data
// here, and only then open the barrier with the root key the shares lead to.

/** Vault's retry_join loop waits this long between rounds over every stanza. */
export const RETRY_JOIN_INTERVAL_MS = 2_000;
export const SYNC_TIMEOUT_MS = 120_000;
const SYNC_POLL_MS = 100;
export const CHALLENGE_PATH = 'sys/storage/raft/bootstrap/challenge';
export const ANSWER_PATH = 'sys/storage/raft/bootstrap/answer';

interface Pending {
  target: LeaderTarget;
  challenge: ChallengeWire;
}

export class RaftJoiner {
  private pending: Pending | null = null;
  private retrying = false;

  constructor(private readonly cluster: RaftCluster) {}

  private get core() {
    return this.cluster.opts.core;
  }

  private refuseIfInitialized(): void {
    if (this.core.barrier.initialized()) throw badRequest('raft join: this node is already initialized; only a new, uninitialized node can join a cluster');
    if (this.cluster.isMember) throw badRequest('raft join: this node is already a member of a raft cluster');
  }

  /** sys/storage/raft/join: one try, or (retry) a background loop over `targets` until one answers. */
  async join(targets: RetryJoinConfig[], retry: boolean): Promise<void> {
    this.refuseIfInitialized();
    if (retry) return void this.retryJoin(targets);
    let last: unknown;
    for (const t of targets) {
      try {
        return await this.fetchChallenge(leaderTargetFrom(t));
      } catch (err) {
        last = err;
      }
    }
    throw badRequest(`failed to join raft cluster: ${(last as Error)?.message ?? 'no leader address given'}`);
  }

  /** Vault's retry_join: every stanza in turn, round after round, until one gives a challenge. */
  retryJoin(targets: RetryJoinConfig[]): void {
    if (this.retrying || targets.length === 0) return;
    this.retrying = true;
    const log = this.cluster.log;
    void (async () => {
      try {
        while (!this.pending && !this.core.barrier.initialized() && !this.cluster.isMember && !this.closed) {
          for (const t of targets) {
            try {
              await this.fetchChallenge(leaderTargetFrom(t));
              log.info({ leader_api_addr: t.leaderApiAddr }, 'raft retry_join: got a challenge; unseal this node with the cluster\'s keys to join');
              return;
            } catch (err) {
              log.debug({ leader_api_addr: t.leaderApiAddr, err: (err as Error).message }, 'raft retry_join: not joined yet');
            }
          }
          await new Promise((r) => setTimeout(r, RETRY_JOIN_INTERVAL_MS));
        }
      } finally {
        this.retrying = false;
      }
    })();
  }

  closed = false;

  private async fetchChallenge(target: LeaderTarget): Promise<void> {
    const challenge = await postLeader<ChallengeWire>(target, CHALLENGE_PATH, { server_id: this.cluster.opts.nodeId });
    const t = challenge.seal_config?.secret_threshold;
    if (!challenge.challenge || !Number.isInteger(t) || t < 1) throw new JoinCallError(`${target.apiAddr}: not a raft challenge`);
    if (this.core.barrier.initialized() || this.cluster.isMember) return; // initialized meanwhile: nothing to join
    this.pending = { target, challenge };
    const joiner = this;
    this.core.seal.pendingJoin = {
      sealConfig: { secret_shares: challenge.seal_config.secret_shares, secret_threshold: t },
      complete: (unsealKey) => joiner.complete(unsealKey),
    };
  }

  /** The shares are in: prove them, become a member, sync; returns the root key for the barrier. */
  private async complete(unsealKey: Buffer): Promise<Buffer> {
    const p = this.pending;
    if (!p) throw badRequest('Vault is not initialized');
    const { nodeId } = this.cluster.opts;
    const record: SealRecord | null = p.challenge.seal_record ? { path: p.challenge.seal_record.path, record: Buffer.from(p.challenge.seal_record.record, 'base64') } : null;
    let rootKey: Buffer;
    let nonce: Buffer;
    try {
      rootKey = rootKeyFromShares(unsealKey, record);
      nonce = openNonce(rootKey, nodeId, Buffer.from(p.challenge.challenge, 'base64'));
    } catch (cause) {
      throw new VaultError('invalid_request', 'Unseal failed, invalid key', { cause });
    }
    const { addrs, apiAddr, clusterAddr } = this.cluster.opts;
    const body = { server_id: nodeId, answer: answerFor(nonce, nodeId).toString('base64'), peer_url: addrs.peerUrl, api_addr: apiAddr, cluster_addr: clusterAddr };
    let reply: JoinReply;
    try {
      const r = await postLeader<{ reply: string }>(p.target, ANSWER_PATH, body, 120_000);
      reply = openReply<JoinReply>(nonce, Buffer.from(r.reply, 'base64'));
    } catch (err) {
      rootKey.fill(0);
      if (err instanceof JoinCallError && err.status === 403) {
        // Our shares opened the challenge, so it expired or was used: fetch a fresh one for the next attempt.
        this.pending = null;
        this.core.seal.pendingJoin = null;
        await this.fetchChallenge(p.target).catch(() => undefined);
      }
      throw badRequest(`raft join: the leader did not admit this node: ${(err as Error).message}`);
    }
    const member: MemberRecord = {
      name: nodeId,
      clientUrl: addrs.clientUrl,
      peerUrl: addrs.peerUrl,
      listenPeerUrl: addrs.listenPeerUrl,
      initialCluster: reply.initial_cluster,
      clusterState: 'existing',
      clusterToken: reply.cluster_token,
      prefix: reply.prefix,
      peerTls: { caCertPem: reply.peer_ca_cert, certPem: reply.peer_cert, keyPem: reply.peer_key },
    };
    try {
      await this.cluster.startMember(member, false);
    } catch (err) {
      // Never joined: leave no member behind, so the next unseal (or a restart) can try the join again.
      forgetMember(this.cluster.opts.storagePath);
      rootKey.fill(0);
      throw new VaultError('internal', `raft join: this node's etcd member did not start: ${(err as Error).message}`, { cause: err });
    }
    await this.waitSynced();
    this.pending = null;
    this.core.seal.pendingJoin = null;
    return rootKey;
  }

  /** The HA log copies the cluster's data here (keyring and seal included) as its member starts. */
  private async waitSynced(): Promise<void> {
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    while (!this.core.barrier.initialized()) {
      if (Date.now() > deadline) throw new VaultError('internal', 'raft join: joined the etcd cluster, but the cluster\'s data did not arrive (is the HA runtime wired?)');
      await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    }
  }
}
