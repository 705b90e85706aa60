import { randomBytes } from 'node:crypto';
import type { Core } from '../core/core';
import { VERSION } from '../core/seal-manager';
import { badRequest, VaultError } from '../errors';
import { EtcdError } from './etcd-error';
import type { Logger } from '../log';
import type { CaMaterial } from '../replication/ca';
import { EtcdClient } from './etcd-client';
import { EtcdMember } from './etcd-member';
import { createEtcdCa, issuePeerCertAsync } from './etcd-peer-tls';
import { haTipKey } from './ha-log-txn';
import { JoinGate, type JoinerInfo, type JoinReply } from './join-leader';
import type { MemberAddresses } from './raft-addresses';
import { markRemoved, readMemberRecord, wasRemoved, writeMemberRecord, type MemberRecord } from './raft-member-file';
import { autopilotState, hostPort, peerConfiguration, PROTOCOL_VERSION, type AutopilotState, type PeerServer } from './raft-peers';
import { deleteNode, putNode, startHeartbeat } from './raft-registry';
import { addLearner, findUnstarted, promoteLearners, removeMember, untilReconfigAccepted } from './raft-member-changes';

// storage "raft" as a cluster: this node's supervised etcd member, from the
// first joiner on. A node that was never asked to join anyone, and that no
// one joined, runs on its SQLite alone with no etcd process (ha-design "Single
// node stays light"). The first joiner a lone node admits makes it start a
// one-member etcd cluster, seed it from SQLite and become active; from then
// on every node of the cluster is a member, restarted from its member file.

/** Decision 2: supervised raft keeps the HA log under this prefix. */
export const RAFT_PREFIX = 'coffer/';
/** The peer CA lives in the barrier, carried to every node of the cluster (not core/node/). */
export const PEER_CA_PATH = 'core/cluster/raft-peer-ca';
const MEMBER_RESTART_DELAY_MS = 1_000;
const SEED_TIMEOUT_MS = 60_000;
/** A joiner is added as a learner (no quorum change while it starts and catches up) and promoted once in sync. */
export const PROMOTE_POLL_MS = 1_000;
export const PROMOTE_TIMEOUT_MS = 120_000;
const SEED_POLL_MS = 100;
/** etcd's strict reconfig check: no member add while a voter is unreachable (etcd 3.4 applies it to learners too). */
const MEMBER_ADD_REFUSED =
  "cannot add a member now: etcd refuses membership changes while one of the cluster's voters is unreachable; bring that node back or remove it (coffer operator raft remove-peer <node>), then unseal the joining node again";

/** What the HA runtime (ha-runtime.ts) gives back to the membership layer. */
export interface HaHandle {
  close(): Promise<void>;
  /** The active node's API address, when known (peers are matched to it by their registered api_addr). */
  activeApiAddr?(): string | undefined;
}
/** seed: a lone node's first member: copy SQLite into the empty etcd prefix and become active. */
export type StartHa = (client: EtcdClient, opts: { prefix: string; seed: boolean }) => Promise<HaHandle>;

export interface RaftClusterOptions {
  nodeId: string;
  apiAddr: string;
  clusterAddr: string;
  storagePath: string;
  addrs: MemberAddresses;
  core: Core;
  logger: Logger;
  pathEnv: string;
  startHa?: StartHa;
}

export class RaftCluster {
  readonly gate: JoinGate;
  private member: EtcdMember | undefined;
  private client: EtcdClient | undefined;
  private ha: HaHandle | undefined;
  private stopBeat: (() => void) | undefined;
  private promoter: NodeJS.Timeout | undefined;
  private stopping = false;
  private admitting: Promise<unknown> = Promise.resolve();
  private removedFlag = false;
  readonly log: Logger;

  constructor(readonly opts: RaftClusterOptions) {
    this.log = opts.logger.child({ component: 'ha.raft' });
    this.gate = new JoinGate({ barrier: opts.core.barrier, logger: this.log, admit: (j) => this.serialized(() => this.admit(j)) });
    this.removed = false;
  }

  /** This node's member was removed (remove-peer): it must not unseal or admit anyone with the data it kept (sys/health says so: 530). */
  get removed(): boolean {
    return this.removedFlag;
  }

  set removed(on: boolean) {
    this.removedFlag = on;
    const slot = this.opts.core.opts.ha;
    if (slot) slot.removedFromCluster = on;
  }

  get isMember(): boolean {
    return this.member !== undefined;
  }

  /** Restarts the member this node already is (in the background: it needs its peers for quorum). */
  start(): void {
    if (wasRemoved(this.opts.storagePath)) {
      this.removed = true;
      this.log.error('this node was removed from its raft cluster (remove-peer): its etcd member stays stopped; give it a new path to join again');
      return;
    }
    const record = readMemberRecord(this.opts.storagePath);
    if (!record) return;
    void (async () => {
      // Its peers may come back later than it (no quorum, no healthy member): keep trying.
      while (!this.stopping && !this.member) {
        try {
          return await this.startMember(record, false);
        } catch (err) {
          this.log.error({ err }, 'raft: could not start this node\'s etcd member; trying again');
          await new Promise((r) => setTimeout(r, MEMBER_RESTART_DELAY_MS * 5));
        }
      }
    })();
  }

  /** Starts the member in `record` (written first, so a restart finds it) and the HA runtime on it. */
  async startMember(record: MemberRecord, seed: boolean): Promise<void> {
    writeMemberRecord(this.opts.storagePath, record);
    // clientCertAuth: a record written before it says http://; the member serves https either way.
    const member = new EtcdMember({ ...record, clientCertAuth: true, storagePath: this.opts.storagePath, logger: this.opts.logger, pathEnv: this.opts.pathEnv });
    this.member = member;
    let client: EtcdClient | undefined;
    try {
      await member.start();
      client = new EtcdClient({ endpoints: [member.clientUrl], tls: member.clientTls });
      this.client = client;
      void member.exited.then(() => this.memberExited(member, record));
      await this.waitVoter(client);
      if (this.opts.startHa) this.ha = await this.opts.startHa(client, { prefix: record.prefix, seed });
      else this.log.warn('raft: this build has no HA runtime wired: the member runs, but data is not shared through it');
    } catch (err) {
      // Half started is not started: no member left running without its HA runtime.
      this.member = undefined;
      this.client = undefined;
      client?.close();
      await member.stop();
      throw err;
    }
    await putNode(client, record.prefix, { node_id: this.opts.nodeId, api_addr: this.opts.apiAddr, cluster_addr: this.opts.clusterAddr, peer_url: record.peerUrl });
    this.stopBeat = startHeartbeat(client, record.prefix, this.opts.nodeId, this.log);
    clearInterval(this.promoter);
    this.promoter = setInterval(() => void promoteLearners(client), PROMOTE_POLL_MS);
  }

  /** A learner serves no linearizable reads: the HA log starts once a voter has promoted this member. */
  private async waitVoter(client: EtcdClient): Promise<void> {
    const deadline = Date.now() + PROMOTE_TIMEOUT_MS;
    while ((await client.status().catch(() => ({ isLearner: true }))).isLearner) {
      if (Date.now() > deadline) throw new Error(`raft: this member was not promoted from learner to voter within ${PROMOTE_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, PROMOTE_POLL_MS / 4));
    }
  }

  private async memberExited(member: EtcdMember, record: MemberRecord): Promise<void> {
    if (this.stopping || this.member !== member) return;
    const removed = member.removedFromCluster;
    this.stopBeat?.();
    clearInterval(this.promoter);
    await this.ha?.close().catch(() => undefined);
    this.ha = undefined;
    this.client?.close();
    this.client = undefined;
    this.member = undefined;
    if (removed) {
      markRemoved(this.opts.storagePath);
      this.removed = true;
      this.log.error('this node was removed from its raft cluster (remove-peer): it stops serving as a member and seals');
      this.opts.core.seal.seal();
      return;
    }
    this.log.error({ tail: member.logTail().slice(-5) }, 'raft: the etcd member exited; restarting it');
    await new Promise((r) => setTimeout(r, MEMBER_RESTART_DELAY_MS));
    if (!this.stopping) await this.startMember(record, false).catch((err) => this.log.error({ err }, 'raft: restarting the etcd member failed'));
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.admitting.then(fn, fn);
    this.admitting = run.catch(() => undefined);
    return run;
  }

  /** Leader side of a right answer: member add, a peer certificate, the list to start with. */
  private async admit(j: JoinerInfo): Promise<JoinReply> {
    if (j.serverId === this.opts.nodeId) throw badRequest(`node_id ${j.serverId} is this node's own: every node needs its own node_id`);
    if (!this.member) await this.becomeFirstMember();
    const client = this.client!;
    const existing = (await client.memberList()).find((m) => m.name === j.serverId);
    if (existing) throw badRequest(`a peer named ${j.serverId} is already in this cluster: remove it first (operator raft remove-peer ${j.serverId})`);
    const ca = this.peerCa();
    const leaf = await issuePeerCertAsync(ca, j.serverId, [new URL(j.peerUrl).hostname.replace(/^\[|\]$/g, '')]);
    const record = readMemberRecord(this.opts.storagePath)!;
    // Every write before member add: a 1-member cluster that adds its second voter has no quorum until that voter starts.
    await putNode(client, record.prefix, { node_id: j.serverId, api_addr: j.apiAddr, cluster_addr: j.clusterAddr, peer_url: j.peerUrl });
    const members = await addLearner(client, j.peerUrl).catch((err: unknown) => {
      if (err instanceof EtcdError && /unhealthy cluster|not enough started members/.test(err.message)) throw new VaultError('unavailable', MEMBER_ADD_REFUSED, { cause: err });
      throw err;
    });
    const initial: Record<string, string> = {};
    for (const m of members) initial[m.peerUrls.includes(j.peerUrl) ? j.serverId : m.name || `pending-${m.id.toString(16)}`] = m.peerUrls[0];
    return { peer_ca_cert: ca.certPem, peer_cert: leaf.certPem, peer_key: leaf.keyPem, initial_cluster: initial, cluster_token: record.clusterToken, prefix: record.prefix };
  }

  private peerCa(): CaMaterial {
    const ca = this.opts.core.barrier.getJSON<CaMaterial>(PEER_CA_PATH);
    if (!ca) throw new Error('this cluster has no raft peer CA');
    return ca;
  }

  /** A lone node's first joiner: a one-member etcd cluster, seeded from SQLite, this node active. */
  private async becomeFirstMember(): Promise<void> {
    const barrier = this.opts.core.barrier;
    let ca = barrier.getJSON<CaMaterial>(PEER_CA_PATH);
    if (!ca) {
      ca = createEtcdCa(this.opts.core.clusterId());
      barrier.putJSON(PEER_CA_PATH, ca); // before seeding: every node of the cluster can then admit the next
    }
    const { addrs, nodeId } = this.opts;
    const leaf = await issuePeerCertAsync(ca, nodeId, addrs.peerHosts);
    this.log.info({ peer_url: addrs.peerUrl }, 'raft: a node asked to join: starting this node\'s etcd member as a one-member cluster');
    await this.startMember(
      {
        name: nodeId,
        clientUrl: addrs.clientUrl,
        peerUrl: addrs.peerUrl,
        listenPeerUrl: addrs.listenPeerUrl,
        initialCluster: { [nodeId]: addrs.peerUrl },
        clusterState: 'new',
        clusterToken: `coffer-${randomBytes(8).toString('hex')}`,
        prefix: RAFT_PREFIX,
        peerTls: { caCertPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem },
      },
      true,
    );
    if (this.opts.startHa) await this.waitSeeded(RAFT_PREFIX);
  }

  /** The runtime makes this node active and seeds the empty prefix from SQLite; a member added before that would cost the quorum it needs. */
  private async waitSeeded(prefix: string): Promise<void> {
    const deadline = Date.now() + SEED_TIMEOUT_MS;
    while (!(await this.client!.get(haTipKey(prefix)).catch(() => null))) {
      if (Date.now() > deadline) throw new Error(`raft: this node did not seed the cluster's log within ${SEED_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, SEED_POLL_MS));
    }
  }

  private active(): { apiAddr?: string } {
    return { apiAddr: this.ha?.activeApiAddr?.() };
  }

  async configuration(): Promise<{ servers: PeerServer[]; index: number }> {
    if (!this.client) return { index: 0, servers: [{ node_id: this.opts.nodeId, address: hostPort(this.opts.clusterAddr), leader: true, voter: true, protocol_version: PROTOCOL_VERSION }] };
    return peerConfiguration(this.client, RAFT_PREFIX, this.active());
  }

  async autopilot(): Promise<AutopilotState> {
    if (!this.client) {
      const id = this.opts.nodeId;
      const now = new Date().toISOString();
      const server = { id, name: id, address: hostPort(this.opts.clusterAddr), node_status: 'alive' as const, last_contact: '0s', last_term: 0, last_index: 0, healthy: true, stable_since: now, status: 'leader' as const, node_type: 'voter' as const, version: VERSION, meta: null };
      return { healthy: true, failure_tolerance: 0, optimistic_failure_tolerance: 0, leader: id, voters: [id], non_voters: null, servers: { [id]: server } };
    }
    return autopilotState(this.client, RAFT_PREFIX, VERSION, this.active());
  }

  /** etcd member remove of the peer named `serverId`; its own supervisor sees the removal and stops serving. */
  async removePeer(serverId: string): Promise<void> {
    const client = this.client;
    if (!client) throw badRequest(`no peer named ${serverId}: this node is not part of a multi-node raft cluster`);
    const members = await client.memberList();
    const m = members.find((x) => x.name === serverId) ?? (await findUnstarted(client, RAFT_PREFIX, members, serverId));
    if (!m) throw badRequest(`no peer named ${serverId} is in this cluster`);
    // Removing the member that serves every request would cut the cluster's
    // writes off mid-request; hand the active role over first, then remove it.
    const active = this.active();
    if (active.apiAddr) {
      const { servers } = await peerConfiguration(client, RAFT_PREFIX, active);
      if (servers.some((s) => s.node_id === serverId && s.leader)) {
        throw badRequest(`${serverId} is the active node: step it down first (coffer operator step-down), then remove it`);
      }
    }
    await removeMember(client, m.id);
    // Right after etcd's leader left, the cluster may still be electing the next one: retried like the removal.
    await untilReconfigAccepted(() => deleteNode(client, RAFT_PREFIX, serverId));
    this.log.info({ server_id: serverId }, 'raft: peer removed');
  }

  /** Stops the HA runtime, then the member (after the API has closed). */
  async close(): Promise<void> {
    this.stopping = true;
    this.stopBeat?.();
    clearInterval(this.promoter);
    await this.ha?.close().catch((err) => this.log.warn({ err }, 'raft: HA runtime did not close cleanly'));
    this.client?.close();
    await this.member?.stop();
  }
}
