// Wire shapes of the two unauthenticated status endpoints the console polls
// (vault website/content/api-docs/system/health.mdx, seal-status.mdx).

export type ReplicationMode = 'disabled' | 'primary' | 'secondary' | 'bootstrapping' | string;

/** `GET sys/health?…code=200` */
export interface HealthResponse {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performance_standby: boolean;
  replication_performance_mode?: ReplicationMode;
  replication_dr_mode?: ReplicationMode;
  server_time_utc: number;
  version: string;
  cluster_name?: string;
  cluster_id?: string;
  enterprise?: boolean;
  clock_skew_ms?: number;
  echo_duration_ms?: number;
  last_wal?: number;
  /** Integrated storage only: remove-peer took this node out (530). */
  removed_from_cluster?: boolean;
  /** A standby only: whether its heartbeat to the cluster goes through (474 when not). */
  ha_connection_healthy?: boolean;
  last_request_forwarding_heartbeat_ms?: number;
}

/** `GET sys/seal-status`; cluster_name/cluster_id only while unsealed. */
export interface SealStatusResponse {
  type: string;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  version: string;
  build_date?: string;
  migration: boolean;
  recovery_seal: boolean;
  storage_type?: string;
  cluster_name?: string;
  cluster_id?: string;
}
