// Wire shapes of Vault's replication endpoints (replication-api.md §2–§3).
// Counters are JSON numbers; *_ms and *_epoch fields are strings on the wire;
// empty fields may be omitted, so nearly everything is optional.
import type { WrapInfo } from './vault-response';

export type ReplicationKind = 'dr' | 'performance';
export type ReplicationMode = 'disabled' | 'primary' | 'secondary' | 'bootstrapping' | 'unknown' | 'unsupported';
/** `state`: a primary is `running` (or `idle` once superseded); a secondary names its step (Vault's sdk/helper/consts/replication.go). */
export type ReplicationState = 'running' | 'idle' | 'connecting' | 'merkle-diff' | 'merkle-sync' | 'stream-wals' | 'bootstrapping';
/** `connection_state` of a secondary: gRPC's channel states, as Vault reports them. */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'transient_failure' | 'shutdown';

/** One entry of `secondaries[]` (on a primary) or `primaries[]` (on a secondary). */
export interface ReplicationPeer {
  node_id?: string;
  api_address?: string;
  cluster_address?: string;
  connection_status?: 'connected' | 'disconnected' | string;
  last_heartbeat?: string;
  last_heartbeat_duration_ms?: string;
  clock_skew_ms?: string;
  replication_primary_canary_age_ms?: string;
  /** Coffer, on a primary: the last index this secondary acknowledged as applied. */
  acked_wal?: number;
  /** Coffer, on a primary: why the link to this secondary was given up (missed heartbeats, an error frame from either side). */
  last_error?: string;
}

/** `GET sys/replication/<kind>/status` data, or data.dr / data.performance of the combined call. */
export interface ReplicationModeStatus {
  mode: ReplicationMode | string;
  state?: ReplicationState;
  connection_state?: ConnectionState;
  cluster_id?: string;
  known_secondaries?: string[];
  secondaries?: ReplicationPeer[];
  primaries?: ReplicationPeer[];
  known_primary_cluster_addrs?: string[];
  last_wal?: number;
  last_dr_wal?: number;
  last_performance_wal?: number;
  last_remote_wal?: number;
  merkle_root?: string;
  primary_cluster_addr?: string;
  secondary_id?: string;
  last_start?: string;
  last_reindex_epoch?: string;
  last_corruption_check_epoch?: string;
  corrupted_merkle_tree?: boolean;
  ssct_generation_counter?: number;
  merkle_sync_progress?: { sync_progress: number; sync_total_keys: number };
  /** Coffer's addition: how far this secondary trails its primary, in ms. */
  lag_ms?: number | string;
  /** Coffer: why the link or the role is unhealthy, in words. */
  last_error?: string;
  /** Coffer: this old primary was superseded by a promotion (never two primaries). */
  superseded_by?: string;
  /** Coffer: on a promoted primary, the former primary answered again without being demoted. */
  stale_primary_warning?: string;
  /** Coffer: when this cluster was promoted (RFC3339). */
  promoted_at?: string;
  /** Coffer: the replication set's fencing epoch; a promotion bumps it. */
  epoch?: number;
  /**
   * Coffer's lag telemetry, on a secondary: this node's clock (ms since the
   * epoch, sub-ms precision) when it applied the batch ending at
   * `last_remote_wal`, and the primary's clock when that batch's oldest record
   * committed there. Their difference, corrected by the clock offset the
   * heartbeats measure, is that batch's write → applied lag. 0 before the first apply.
   */
  last_applied_at_ms?: number;
  last_applied_primary_commit_ms?: number;
  /** The same two stamps for each of this secondary's recent applies (up to 512, oldest first), so the lag of every batch can be read with few polls. */
  recent_applies?: { last_remote_wal: number; applied_at_ms: number; primary_commit_ms: number }[];
  reindex_in_progress?: boolean;
  reindex_stage?: ReindexStage;
  reindex_building_progress?: number;
  reindex_building_total?: number;
}

/** Vault's `reindex_stage` values (reference §3.1). */
export type ReindexStage = 'scanning' | 'building' | 'wal-replay' | 'commit';

/** The dr/performance pair of `GET sys/replication/status` (Enterprise shape), as the server builds it. */
export interface ReplicationStatusPair {
  dr: ReplicationModeStatus;
  performance: ReplicationModeStatus;
}

/** `GET sys/replication/status`: ENT answers data.dr + data.performance; CE answers data.mode. */
export interface ReplicationStatusResponse {
  data: { dr?: ReplicationModeStatus; performance?: ReplicationModeStatus; mode?: string };
}

/** `POST …/primary/secondary-token`: response-wrapped, so the activation JWT is wrap_info.token. */
export interface SecondaryTokenResponse {
  data: { token?: string } | null;
  wrap_info: (WrapInfo & { wrapped_accessor?: string }) | null;
  warnings: string[] | null;
}

/** `sys/replication/dr/secondary/generate-operation-token/{attempt,update}` (GenerateRootStatusResponse). */
export interface OperationTokenStatus {
  started: boolean;
  nonce: string;
  progress: number;
  required: number;
  complete: boolean;
  encoded_token: string;
  encoded_root_token?: string;
  pgp_fingerprint?: string;
  otp: string;
  otp_length: number;
}
