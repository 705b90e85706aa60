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
/** The leader adds the member and issues its certificate before it answers. */
const ANSWER_TIMEOUT_MS = 120_000;
export const CHALLENGE_PATH = 'sys/storage/raft/bootstrap/challenge';
export const ANSWER_PATH = 'sys/storage/raft/bootstrap/answer';

interface Pending {
  target: LeaderTarget;
  challenge: ChallengeWire;
}

export class RaftJoiner {
  private pending: Pending | null = null;
  private retrying = false;
  /** Every leader address this join may use (retry_join stanzas, or the one `raft join` named). */
  private targets: RetryJoinConfig[] = [];

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
    this.targets = targets;
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
    this.targets = targets;
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

  private async requestChallenge(target: LeaderTarget): Promise<ChallengeWire> {
    const challenge = await postLeader<ChallengeWire>(target, CHALLENGE_PATH, { server_id: this.cluster.opts.nodeId });
    const t = challenge.seal_config?.secret_threshold;
    if (!challenge.challenge || !Number.isInteger(t) || t < 1) throw new JoinCallError(`${target.apiAddr}: not a raft challenge`);
    return challenge;
  }

  private async fetchChallenge(target: LeaderTarget): Promise<void> {
    const challenge = await this.requestChallenge(target);
    if (this.core.barrier.initialized() || this.cluster.isMember) return; // initialized meanwhile: nothing to join
    this.pending = { target, challenge };
    const joiner = this;
    this.core.seal.pendingJoin = {
      sealConfig: { secret_shares: challenge.seal_config.secret_shares, secret_threshold: challenge.seal_config.secret_threshold },
      complete: (unsealKey) => joiner.complete(unsealKey),
    };
  }

  /** The shares are in: prove them, become a member, sync; returns the root key for the barrier. */
  private async complete(unsealKey: Buffer): Promise<Buffer> {
    const { reply, rootKey } = await this.admitted(unsealKey);
    const { nodeId, addrs } = this.cluster.opts;
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

  /**
   * Answer a challenge with the shares' root key: the pending one first, then
   * (its node gone since it handed the challenge out) a fresh one from each
   * other leader address in turn, as Vault's join keeps trying. Wrong shares
   * fail at once; if no node admits this one, the retry_join loop fetches a
   * new challenge in the background and the next unseal tries again.
   */
  private async admitted(unsealKey: Buffer): Promise<{ reply: JoinReply; rootKey: Buffer }> {
    const first = this.pending;
    const order = [...(first ? [first.target] : []), ...this.targets.map(leaderTargetFrom).filter((t) => t.apiAddr !== first?.target.apiAddr)];
    if (!order.length) throw badRequest('Vault is not initialized');
    let last: unknown;
    for (const target of order) {
      let challenge = target === first?.target ? first.challenge : null;
      for (let fresh = 0; fresh < 2; fresh++) {
        try {
          challenge ??= await this.requestChallenge(target);
          const rootKey = this.rootKeyFor(unsealKey, challenge);
          try {
            const reply = await this.answer(target, challenge, rootKey);
            this.pending = { target, challenge };
            return { reply, rootKey };
          } catch (err) {
            rootKey.fill(0);
            throw err;
          }
        } catch (err) {
          if (err instanceof VaultError) throw err; // wrong shares: no other node would take them either
          last = err;
          // Our shares opened the challenge, so it expired or was used: one fresh one from the same node.
          if (err instanceof JoinCallError && err.status === 403) challenge = null;
          else break;
        }
      }
      this.cluster.log.warn({ leader_api_addr: target.apiAddr, err: (last as Error)?.message }, 'raft join: this node was not admitted; trying the next leader address');
    }
    this.pending = null;
    this.retryJoin(this.targets);
    throw badRequest(`raft join: no node of the cluster admitted this node: ${(last as Error)?.message ?? 'no leader address'}; unseal again once one is reachable`);
  }

  private rootKeyFor(unsealKey: Buffer, challenge: ChallengeWire): Buffer {
    const record: SealRecord | null = challenge.seal_record ? { path: challenge.seal_record.path, record: Buffer.from(challenge.seal_record.record, 'base64') } : null;
    try {
      const rootKey = rootKeyFromShares(unsealKey, record);
      openNonce(rootKey, this.cluster.opts.nodeId, Buffer.from(challenge.challenge, 'base64')); // throws for wrong shares
      return rootKey;
    } catch (cause) {
      throw new VaultError('invalid_request', 'Unseal failed, invalid key', { cause });
    }
  }

  private async answer(target: LeaderTarget, challenge: ChallengeWire, rootKey: Buffer): Promise<JoinReply> {
    const { nodeId, addrs, apiAddr, clusterAddr } = this.cluster.opts;
    const nonce = openNonce(rootKey, nodeId, Buffer.from(challenge.challenge, 'base64'));
    const body = { server_id: nodeId, answer: answerFor(nonce, nodeId).toString('base64'), peer_url: addrs.peerUrl, api_addr: apiAddr, cluster_addr: clusterAddr };
    const r = await postLeader<{ reply: string }>(target, ANSWER_PATH, body, ANSWER_TIMEOUT_MS);
    return openReply<JoinReply>(nonce, Buffer.from(r.reply, 'base64'));
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
