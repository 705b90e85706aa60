// The seal-status table printed by `status` and `operator unseal`, in Vault's
// row order. Cluster rows appear only once known; unseal progress only while sealed.
import { UNAUTHENTICATED, type VaultClient } from './client';
import { tableOutput } from './table';

export interface SealStatus {
  type?: string;
  initialized?: boolean;
  sealed?: boolean;
  t?: number;
  n?: number;
  progress?: number;
  nonce?: string;
  version?: string;
  build_date?: string;
  migration?: boolean;
  cluster_name?: string;
  cluster_id?: string;
  recovery_seal?: boolean;
  storage_type?: string;
  [key: string]: unknown;
}

export interface LeaderStatus {
  ha_enabled?: boolean;
  is_self?: boolean;
  active_time?: string;
  leader_address?: string;
  leader_cluster_address?: string;
  performance_standby?: boolean;
  performance_standby_last_remote_wal?: number;
  last_wal?: number;
  raft_committed_index?: number;
  raft_applied_index?: number;
}

/** sys/leader, or an HA-disabled stand-in when the server cannot answer it. */
export async function fetchLeader(client: VaultClient): Promise<LeaderStatus> {
  try {
    const res = await client.request('GET', 'sys/leader', UNAUTHENTICATED);
    return (res.body ?? {}) as LeaderStatus;
  } catch {
    return { ha_enabled: false };
  }
}

export function sealStatusRows(s: SealStatus, l: LeaderStatus): string[][] {
  const prefix = s.recovery_seal ? 'Recovery ' : '';
  const rows: string[][] = [
    [`${prefix}Seal Type`, String(s.type ?? '')],
    ['Initialized', String(s.initialized ?? false)],
    ['Sealed', String(s.sealed ?? false)],
    [`Total ${prefix}Shares`, String(s.n ?? 0)],
    ['Threshold', String(s.t ?? 0)],
  ];
  if (s.sealed) {
    rows.push(['Unseal Progress', `${s.progress ?? 0}/${s.t ?? 0}`]);
    rows.push(['Unseal Nonce', String(s.nonce ?? '')]);
  }
  if (s.migration) rows.push(['Seal Migration in Progress', 'true']);
  rows.push(['Version', String(s.version ?? '')]);
  if (s.build_date) rows.push(['Build Date', s.build_date]);
  rows.push(['Storage Type', String(s.storage_type ?? '')]);
  if (s.cluster_name && s.cluster_id) {
    rows.push(['Cluster Name', s.cluster_name]);
    rows.push(['Cluster ID', s.cluster_id]);
  }
  rows.push(['HA Enabled', String(l.ha_enabled ?? false)]);
  if (l.ha_enabled && !s.sealed) {
    rows.push(['HA Cluster', String(l.leader_cluster_address ?? '')]);
    rows.push(['HA Mode', l.is_self ? 'active' : 'standby']);
    if (l.is_self && l.active_time && !l.active_time.startsWith('0001-')) rows.push(['Active Since', l.active_time]);
    if (!l.is_self) rows.push(['Active Node Address', l.leader_address || '<none>']);
    if (l.performance_standby) {
      rows.push(['Performance Standby Node', 'true']);
      rows.push(['Performance Standby Last Remote WAL', String(l.performance_standby_last_remote_wal ?? 0)]);
    }
  }
  if (l.raft_committed_index) rows.push(['Raft Committed Index', String(l.raft_committed_index)]);
  if (l.raft_applied_index) rows.push(['Raft Applied Index', String(l.raft_applied_index)]);
  if (l.last_wal) rows.push(['Last WAL', String(l.last_wal)]);
  return rows;
}

export function sealStatusTable(s: SealStatus, l: LeaderStatus): string {
  return tableOutput(['Key', 'Value'], sealStatusRows(s, l));
}

/** The JSON shape of `vault status -format=json`: seal status plus HA fields. */
export function sealStatusJson(s: SealStatus, l: LeaderStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s, ha_enabled: l.ha_enabled ?? false };
  for (const [k, v] of Object.entries(l)) {
    if (k !== 'ha_enabled' && v !== undefined && v !== '' && v !== false && v !== 0) out[k] = v;
  }
  return out;
}
