import { hostname } from 'node:os';
import type { Core } from '../core/core';
import type { Request, Response } from '../core/request';
import { VaultError } from '../errors';
import type { Logger } from '../log';
import type { ReplicationManager } from '../replication/manager';
import type { SqliteBackend } from '../storage/sqlite';
import { Election, type Leadership } from './election';
import type { EtcdClient } from './etcd-client';
import { HaLog } from './ha-log';
import { ActiveUnreachableError, forwardHttp } from './ha-forward';
import { ECHO_UNHEALTHY_AFTER_MS, NodeRegistry, nodeStatus } from './ha-registry';
import { HaFeedNodes } from './ha-feed-nodes';
import type { FeedHaNode } from '../../lib/types/replication-feed';
import type { HaConnection, HaLeaderStatus, HaNodeStatus, HaRole, HaSlot, HaView } from './ha-slot';
import { observeLeader, type LeaderObserver } from './leader-observer';

// One node of an HA cluster: it campaigns for the active role while it is
// unsealed (a sealed node never does: it could not serve), leads the HA log
// when it wins and follows it otherwise. Background writers — token expiry
// and replication (primary listener, secondary streams) — run only on the
// active. Standbys answer reads themselves and forward the rest (ha-gate.ts).

/** The HA log as the runtime uses it (server/ha/ha-log.ts, HA-LOG's slice; ha-design.md). */
export interface HaLogPort {
  lead(leadership: Leadership): Promise<void>;
  follow(): Promise<void>;
  readonly committedIndex: number;
  readonly appliedIndex: number;
  waitApplied(seq: number, timeoutMs: number): Promise<boolean>;
  onFenced(cb: (reason: string) => void): () => void;
  close(): Promise<void>;
}

export interface HaRuntimeOptions {
  client: EtcdClient;
  /** Key prefix in etcd, ending with "/" (storage "etcd" path; supervised raft: "coffer/"). */
  prefix: string;
  nodeId: string;
  apiAddr: string;
  clusterAddr: string;
  storage: SqliteBackend;
  core: Core;
  replication: ReplicationManager;
  logger: Logger;
  /** The HA log; default: HaLog.open on this node's storage (check/repair against etcd, then follow). */
  log?: HaLogPort;
  /** Leader lease TTL (election.ts DEFAULT_LEASE_TTL_SECONDS; storage "etcd" lock_timeout). */
  ttlSeconds?: number;
  /** Called last on close (the caller's etcd client, say). */
  onClose?: () => void;
}

interface ResolvedOptions extends HaRuntimeOptions {
  log: HaLogPort;
  slot: HaSlot;
}

export type HaRuntime = HaView;

/** After sys/step-down, this node stays out of the next election this long (Vault: 10 s), so another node takes over. */
export const STEP_DOWN_HOLD_MS = 10_000;
/** After losing leadership for any other reason, try again after this pause. */
const RECAMPAIGN_MS = 250;
/** A request a standby must forward waits this long for an active during a failover (several leases). */
export const FORWARD_FAILOVER_WAIT_MS = 10_000;
/** How often a forward re-checks while the leader key names this node but it is not active yet. */
const OWN_KEY_POLL_MS = 50;
/** sys/init on an uninitialized cluster waits this long to become its writer. */
const INIT_LEADERSHIP_WAIT_MS = 30_000;

export const leaderKey = (prefix: string) => `${prefix}leader`;

interface LeaderValue {
  node_id: string;
  api_address: string;
  cluster_address: string;
  hostname: string;
}

/**
 * Makes this node one of an HA cluster. The core must have been built with a
 * slot (node.ts does: CoreOptions.ha); MEMBERSHIP's supervised raft passes its
 * member's client, storage "etcd" a client over the configured endpoints.
 */
export async function startHaRuntime(opts: HaRuntimeOptions): Promise<HaRuntime> {
  const slot = opts.core.opts.ha;
  if (!slot) throw new Error('startHaRuntime: the core was built without an HA slot (CoreOptions.ha)');
  if (slot.runtime) throw new Error('startHaRuntime: an HA runtime already runs on this node');
  const log = opts.log ?? (await openHaLog(opts));
  const rt = new Runtime({ ...opts, log, slot });
  rt.start();
  return rt;
}

class Runtime implements HaRuntime {
  private roleValue: HaRole = 'sealed';
  private readonly election: Election;
  private readonly registry: NodeRegistry;
  private readonly feedList: HaFeedNodes;
  private readonly observer: LeaderObserver;
  private readonly log: Logger;
  private campaignAbort: AbortController | null = null;
  private activeSince: Date | null = null;
  private holdUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Role changes run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly settleWaiters = new Set<() => void>();
  private readonly leaderWaiters = new Set<() => void>();
  private readonly unsubs: (() => void)[] = [];

  constructor(private readonly o: ResolvedOptions) {
    this.log = o.logger.child({ component: 'ha.runtime', node: o.nodeId });
    const value: LeaderValue = { node_id: o.nodeId, api_address: o.apiAddr, cluster_address: o.clusterAddr, hostname: hostname() };
    this.election = new Election(o.client, { key: leaderKey(o.prefix), value: JSON.stringify(value), ttlSeconds: o.ttlSeconds, logger: o.logger });
    this.registry = new NodeRegistry(o.client, o.prefix, { nodeId: o.nodeId, apiAddr: o.apiAddr, clusterAddr: o.clusterAddr, role: () => this.roleValue }, o.logger);
    this.observer = observeLeader(o.client, leaderKey(o.prefix), o.logger, (kv) => {
      this.log.debug({ leader: kv ? this.parseLeader(kv.value)?.node_id : null }, 'active node changed');
      for (const w of [...this.leaderWaiters]) w();
      this.feedList?.poke();
      o.slot.changed();
    });
    this.feedList = new HaFeedNodes({
      client: o.client,
      prefix: o.prefix,
      registry: this.registry,
      self: () => ({ node_id: o.nodeId, api_address: o.apiAddr, role: this.roleValue }),
      activeId: () => (this.roleValue === 'active' ? o.nodeId : (this.activeNode()?.node_id ?? null)),
      onChange: () => o.slot.changed(),
      logger: o.logger,
    });
  }

  get role(): HaRole {
    return this.roleValue;
  }

  start(): void {
    const { core, slot } = this.o;
    slot.runtime = this;
    this.o.storage.setHaStandby(true); // until this node leads: only the log applier writes the cluster's keys
    this.registry.start();
    this.election.onLost((reason) => this.demote(`leadership lost: ${reason}`, { resign: false }));
    this.unsubs.push(this.o.log.onFenced((reason) => this.demote(`HA log fenced: ${reason}`, { resign: true })));
    core.unsealListeners.push(() => this.enqueue(async () => this.onUnsealed()));
    core.sealListeners.push(() => this.onSealed());
    if (!core.barrier.sealed) {
      // Started on a node that already serves alone (a lone raft node taking its first peer): replication waits until it leads.
      this.enqueue(async () => {
        core.expiration.refresh();
        await this.o.replication.stop().catch((err: unknown) => this.log.error({ err }, 'replication failed to stop'));
        this.onUnsealed();
      });
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.log.error({ err }, 'HA role change failed'));
  }

  private setRole(role: HaRole): void {
    if (role === this.roleValue) return;
    this.log.info({ from: this.roleValue, to: role }, 'HA role');
    this.roleValue = role;
    this.registry.echoNow(); // the other nodes' status feeds learn the new role now, not at the next echo
    this.feedList.poke();
    this.o.slot.changed();
    if (role !== 'promoting') for (const w of this.settleWaiters) w();
  }

  private onUnsealed(): void {
    if (this.closed || this.o.core.barrier.sealed) return;
    if (this.roleValue === 'sealed') this.setRole('standby');
    this.o.core.expiration.refresh();
    this.campaign();
  }

  /** Before the barrier seals: stop campaigning and give the role up at once. */
  private onSealed(): void {
    this.campaignAbort?.abort();
    this.campaignAbort = null;
    if (this.isActiveOrPromoting()) this.demote('sealed', { resign: true, to: 'sealed' });
    else this.setRole('sealed');
  }

  private isActiveOrPromoting(): boolean {
    return this.roleValue === 'active' || this.roleValue === 'promoting';
  }

  /** Campaign in the background until elected, unless sealed, closed or held back after a step-down. */
  private campaign(): void {
    if (this.closed || this.campaignAbort || this.roleValue === 'sealed' || this.election.state !== 'idle') return;
    const wait = this.holdUntil - Date.now();
    if (wait > 0) {
      clearTimeout(this.holdTimer);
      this.holdTimer = setTimeout(() => this.enqueue(async () => this.campaign()), wait);
      return;
    }
    const abort = new AbortController();
    this.campaignAbort = abort;
    this.election.campaign(abort.signal).then(
      (leadership) => {
        if (this.campaignAbort === abort) this.campaignAbort = null;
        this.enqueue(() => this.becomeActive(leadership));
      },
      (err: unknown) => {
        if (this.campaignAbort === abort) this.campaignAbort = null;
        if (!abort.signal.aborted) this.log.warn({ err: (err as Error).message }, 'campaign failed');
      },
    );
  }

  private async becomeActive(leadership: Leadership): Promise<void> {
    if (this.election.current?.lease !== leadership.lease) return; // lost again before we got here
    if (this.o.core.barrier.sealed) {
      await this.election.resign(); // sealed while campaigning: a sealed node never leads
      return;
    }
    this.setRole('promoting');
    try {
      await this.o.log.lead(leadership); // applies up to etcd's tip first
    } catch (err) {
      this.log.error({ err }, 'could not take over the HA log');
      this.demote('could not take over the HA log', { resign: true });
      return;
    }
    // Lost again, or sealed, while taking over: demote() (queued behind this step) has set the role and brings the log back.
    if (this.election.current?.lease !== leadership.lease || this.roleValue !== 'promoting') return;
    this.activeSince = new Date();
    this.o.storage.setHaStandby(false);
    this.setRole('active');
    try {
      this.o.core.clusterId(); // the cluster's id exists from its first active on, so every standby shows the same
    } catch (err) {
      this.log.warn({ err }, 'could not store the cluster id; the next read tries again');
    }
    this.o.core.expiration.refresh();
    await this.o.replication.start().catch((err: unknown) => this.log.error({ err }, 'replication failed to start on the new active'));
  }

  private async stopActiveWork(): Promise<void> {
    this.activeSince = null;
    this.o.core.expiration.refresh();
    await this.o.replication.stop().catch((err: unknown) => this.log.error({ err }, 'replication failed to stop'));
  }

  /**
   * Stop being the active: the role changes at once (health, the request gate
   * and background writers see it synchronously), then, in order, background
   * writers stop, the term is resigned if it is still held, the HA log goes
   * back to following (pending writes rejected), and the node stands again.
   */
  private demote(reason: string, opts: { resign: boolean; to?: HaRole }): void {
    if (!this.isActiveOrPromoting()) return;
    this.log.warn({ reason }, 'no longer active');
    this.o.storage.setHaStandby(true);
    this.setRole(opts.to ?? (this.o.core.barrier.sealed ? 'sealed' : 'standby'));
    this.activeSince = null;
    this.o.core.expiration.refresh();
    this.enqueue(async () => {
      await this.stopActiveWork();
      if (opts.resign) await this.election.resign();
      await this.o.log.follow();
      // A secondary that still dials this node hears where the active is now.
      if (this.roleValue === 'standby' && !this.closed) this.o.replication.serveStandby();
      this.retryLater(RECAMPAIGN_MS);
    });
  }

  private retryLater(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, Date.now() + ms);
    this.campaign();
  }

  async stepDown(): Promise<void> {
    if (!this.isActiveOrPromoting()) return;
    this.holdUntil = Date.now() + STEP_DOWN_HOLD_MS;
    this.demote('sys/step-down', { resign: true });
    await this.chain; // answered once the term is given up and this node follows
  }

  async withInitLeadership<T>(fn: () => Promise<T>): Promise<T> {
    if (this.roleValue === 'active') return fn();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('timed out')), INIT_LEADERSHIP_WAIT_MS);
    let leadership: Leadership;
    try {
      leadership = await this.election.campaign(abort.signal);
    } catch (err) {
      throw new VaultError('unavailable', `cannot initialize: another node holds the active role or etcd is unreachable (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
    try {
      await this.o.log.lead(leadership);
      this.o.storage.setHaStandby(false);
      const out = await fn();
      await this.o.storage.flushed(); // the init is in etcd before the answer
      return out;
    } finally {
      this.o.storage.setHaStandby(true);
      await this.election.resign();
      await this.o.log.follow();
      if (!this.o.core.barrier.sealed) this.enqueue(async () => this.onUnsealed());
    }
  }

  settled(timeoutMs: number): Promise<HaRole> {
    if (this.roleValue !== 'promoting') return Promise.resolve(this.roleValue);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.settleWaiters.delete(done);
        resolve(this.roleValue);
      };
      const t = setTimeout(done, timeoutMs);
      this.settleWaiters.add(done);
    });
  }

  committedIndex(): number {
    return this.o.log.committedIndex;
  }

  haConnection(): HaConnection | null {
    if (this.roleValue !== 'standby') return null;
    const ms = this.registry.sinceLastEcho();
    return { healthy: ms < ECHO_UNHEALTHY_AFTER_MS, lastHeartbeatMs: ms };
  }

  private parseLeader(v: Buffer): LeaderValue | null {
    try {
      return JSON.parse(v.toString('utf8')) as LeaderValue;
    } catch {
      return null;
    }
  }

  private activeNode(): LeaderValue | null {
    const kv = this.observer.current;
    return kv ? this.parseLeader(kv.value) : null;
  }

  leaderStatus(): HaLeaderStatus {
    const self = this.roleValue === 'active';
    const leader = self ? { api_address: this.o.apiAddr, cluster_address: this.o.clusterAddr } : this.activeNode();
    return {
      ha_enabled: true,
      is_self: self,
      active_time: self && this.activeSince ? this.activeSince.toISOString() : '0001-01-01T00:00:00Z',
      leader_address: leader?.api_address ?? '',
      leader_cluster_address: leader?.cluster_address ?? '',
      performance_standby: this.roleValue === 'standby' && this.o.slot.performanceStandby,
      performance_standby_last_remote_wal: this.roleValue === 'standby' ? this.o.log.appliedIndex : 0,
      raft_committed_index: this.o.log.committedIndex,
      raft_applied_index: this.o.log.appliedIndex,
    };
  }

  feedNodes(): FeedHaNode[] {
    return this.feedList.current();
  }

  async nodes(): Promise<HaNodeStatus[]> {
    const active = this.roleValue === 'active' ? this.o.nodeId : (this.activeNode()?.node_id ?? null);
    const list = await this.registry.list();
    return list.map((r) => nodeStatus(r, active)).sort((a, b) => Number(b.active_node) - Number(a.active_node) || a.hostname.localeCompare(b.hostname));
  }

  /**
   * Forward to the active. While there is none (a failover), or the one named
   * refuses connections (it died and its lease has not run out yet), wait for
   * the next one, up to FORWARD_FAILOVER_WAIT_MS: the client sees a slow
   * answer instead of an error. Only a refused connection is retried — the
   * request never reached anyone, so it cannot run twice. Null: this node
   * became the active meanwhile, the request is to run here.
   */
  async forward(req: Request): Promise<Response | null> {
    const deadline = Date.now() + FORWARD_FAILOVER_WAIT_MS;
    let dead: string | null = null;
    for (;;) {
      // This node won the failover itself: the request runs here.
      if (this.roleValue === 'promoting') await this.settled(Math.max(0, deadline - Date.now()));
      if (this.roleValue === 'active') return null;
      const target = this.activeNode();
      if (target?.node_id === this.o.nodeId) {
        // The leader key is this node's: it is about to take over (or its lost term's key is about to go).
        if (Date.now() >= deadline) throw new VaultError('unavailable', 'local node not active but active cluster node not found');
        await new Promise((r) => setTimeout(r, OWN_KEY_POLL_MS));
        continue;
      }
      const usable: LeaderValue | null = target && target.node_id !== this.o.nodeId && target.api_address !== dead ? target : null;
      if (usable) {
        try {
          return await forwardHttp(req, { apiAddr: usable.api_address, nodeId: usable.node_id }, this.o.nodeId, (seq, ms) => this.o.log.waitApplied(seq, ms), () => this.o.core.barrier.exportRootKey());
        } catch (err) {
          if (!(err instanceof ActiveUnreachableError) || Date.now() >= deadline) throw err;
          dead = usable.api_address;
          continue;
        }
      }
      if (this.roleValue !== 'standby' || Date.now() >= deadline || !(await this.leaderChange(deadline - Date.now()))) {
        throw new VaultError('unavailable', 'local node not active but active cluster node not found');
      }
      dead = null; // a new leader key: even the same address may be a restarted node
    }
  }

  /** Resolves true when the leader key changes, false after timeoutMs. */
  private leaderChange(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(t);
        this.leaderWaiters.delete(onChange);
        resolve(changed);
      };
      const onChange = () => done(true);
      const t = setTimeout(() => done(false), timeoutMs);
      this.leaderWaiters.add(onChange);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.holdTimer);
    this.campaignAbort?.abort();
    for (const u of this.unsubs) u();
    this.observer.close();
    this.feedList.close();
    await this.chain;
    if (this.roleValue === 'active' || this.roleValue === 'promoting') await this.stopActiveWork();
    await this.election.resign();
    await this.registry.close();
    if (this.o.slot.runtime === this) this.o.slot.runtime = null;
    this.o.storage.setHaStandby(false);
    await this.o.log.close();
    this.o.onClose?.();
  }
}

function openHaLog(opts: HaRuntimeOptions): Promise<HaLogPort> {
  // Appends unanswered for one lease are refused: by then another node may lead.
  const unreachableMs = opts.ttlSeconds === undefined ? undefined : opts.ttlSeconds * 1000;
  return HaLog.open({ client: opts.client, prefix: opts.prefix, storage: opts.storage, logger: opts.logger, unreachableMs });
}
