import type { FeedHaNode } from '../../lib/types/replication-feed';
import type { Request, Response } from '../core/request';

// Where the core meets the HA runtime. The core is assembled once, before the
// runtime exists (MEMBERSHIP starts it once etcd is reachable), so the node
// hands the core this slot at construction and the runtime fills it when it
// starts. An empty slot is a single node: active, writing, nothing forwarded —
// exactly as without HA.

export type HaRole = 'active' | 'promoting' | 'standby' | 'sealed';

/** What sys/leader reports (Vault's field names). */
export interface HaLeaderStatus {
  ha_enabled: boolean;
  is_self: boolean;
  active_time: string;
  leader_address: string;
  leader_cluster_address: string;
  performance_standby: boolean;
  performance_standby_last_remote_wal: number;
  raft_committed_index: number;
  raft_applied_index: number;
}

/** One node of sys/ha-status. */
export interface HaNodeStatus {
  hostname: string;
  api_address: string;
  cluster_address: string;
  active_node: boolean;
  last_echo: string | null;
  echo_duration_ms: number;
  clock_skew_ms: number;
  version: string;
  replication_primary_canary_age_ms: number;
}

/** A standby's link to its cluster (sys/health ha_connection_healthy, last_request_forwarding_heartbeat_ms). */
export interface HaConnection {
  healthy: boolean;
  lastHeartbeatMs: number;
}

/** The runtime as the core, the sys routes and the request path see it. */
export interface HaView {
  readonly role: HaRole;
  /** On a standby, how its heartbeat to the cluster goes; null on the active or a sealed node. */
  haConnection?(): HaConnection | null;
  leaderStatus(): HaLeaderStatus;
  nodes(): Promise<HaNodeStatus[]>;
  /** Hand the active role to another node (sys/step-down on the active). */
  stepDown(): Promise<void>;
  /** Run sys/init as the cluster's writer: an uninitialized cluster has no active yet. */
  withInitLeadership<T>(fn: () => Promise<T>): Promise<T>;
  /** Send a request to the active and answer once this node applied what it wrote (read-your-writes); null when this node became the active meanwhile. */
  forward(req: Request): Promise<Response | null>;
  /** Wait (bounded) while this node is becoming active, so a request forwarded to it is not bounced back. */
  settled(timeoutMs: number): Promise<HaRole>;
  /** What the active answers a forwarded request with: the HA log seq its writes reached. */
  committedIndex(): number;
  /** Stop: resign the active role (another node takes over at once), leave the HA log. */
  close(): Promise<void>;
  /** The cluster's nodes and their states, for the status feed (ha-feed-nodes.ts); cheap, synchronous. */
  feedNodes?(): FeedHaNode[];
}

export class HaSlot {
  runtime: HaView | null = null;
  /** Integrated storage: whether remove-peer took this node out (sys/health removed_from_cluster); undefined on other storage. */
  removedFromCluster: boolean | undefined = undefined;
  private readonly listeners = new Set<() => void>();

  /** disable_performance_standby = true makes standbys plain: they forward reads too and answer sys/health with 429. */
  constructor(readonly performanceStandby = true) {}

  /** Called when this node's role, the active node or the cluster's nodes may have changed (the status feed listens). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const l of this.listeners) l();
  }

  /** Background writers (expiry, replication) run only here: no HA, or the active. */
  writesHere(): boolean {
    return this.runtime === null || this.runtime.role === 'active';
  }
}
