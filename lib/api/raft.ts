// Integrated storage (raft) for the console's Raft Storage screen: the peers
// (sys/storage/raft/configuration), autopilot's per-server health and failure
// tolerance (sys/storage/raft/autopilot/state), which node is active
// (sys/leader), snapshot save (GET sys/storage/raft/snapshot, a file) and
// restore (POST snapshot / snapshot-force, the file as the raw body), and
// remove-peer. Never imports server/.
import { queryOptions } from '@tanstack/react-query';
import type { VaultResponse } from '@/lib/types/vault-response';
import { ApiError, NETWORK_ERROR_STATUS, errorsOf } from './api-error';
import { apiUrl, vaultFetch } from './client';

/** Peers change when a node joins, leaves or fails over: the screen polls while it is open and the status feed is down. */
export const RAFT_REFRESH_MS = 3_000;
/** While the status feed is live it refetches the peers on every change of the cluster's nodes; this poll only backs it up. */
export const RAFT_FEED_FALLBACK_MS = 15_000;

export interface RaftServer {
  node_id: string;
  address: string;
  leader: boolean;
  voter: boolean;
  protocol_version?: string;
}

export interface AutopilotServer {
  id: string;
  name: string;
  address: string;
  node_status: string;
  last_contact: string;
  healthy: boolean;
  status: string;
}

export interface AutopilotState {
  healthy: boolean;
  failure_tolerance: number;
  leader: string;
  voters: string[];
  servers: Record<string, AutopilotServer>;
}

export interface LeaderStatus {
  ha_enabled: boolean;
  is_self: boolean;
  leader_address: string;
  leader_cluster_address: string;
}

export const RAFT_KEY = ['sys', 'storage', 'raft'] as const;
export const LEADER_KEY = ['sys', 'leader'] as const;

export const raftConfigurationQuery = (token: string) =>
  queryOptions({
    queryKey: [...RAFT_KEY, 'configuration'],
    queryFn: async ({ signal }) => {
      const res = await vaultFetch<VaultResponse<{ config: { servers: RaftServer[] | null; index: number } }>>('sys/storage/raft/configuration', { token, signal });
      return res.data?.config.servers ?? [];
    },
    refetchInterval: RAFT_REFRESH_MS,
  });

export const autopilotStateQuery = (token: string) =>
  queryOptions({
    queryKey: [...RAFT_KEY, 'autopilot'],
    queryFn: async ({ signal }) => (await vaultFetch<VaultResponse<AutopilotState>>('sys/storage/raft/autopilot/state', { token, signal })).data ?? null,
    refetchInterval: RAFT_REFRESH_MS,
  });

export const leaderQuery = () =>
  queryOptions({
    queryKey: LEADER_KEY,
    queryFn: async ({ signal }) => vaultFetch<LeaderStatus>('sys/leader', { signal }),
    refetchInterval: RAFT_REFRESH_MS,
  });

export async function removePeer(token: string, serverId: string): Promise<void> {
  await vaultFetch('sys/storage/raft/remove-peer', { method: 'POST', token, body: { server_id: serverId } });
}

/** The snapshot's file name, as `vault operator raft snapshot save` users name it: raft-<cluster>-<UTC time>.snap. */
export function snapshotFileName(cluster: string | undefined, at: Date): string {
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const name = (cluster ?? '').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `raft-snapshot-${name ? `${name}-` : ''}${stamp}.snap`;
}

/** GET the snapshot as bytes (a consistent, still-encrypted dump). */
export async function fetchSnapshot(token: string, signal?: AbortSignal): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(apiUrl('sys/storage/raft/snapshot'), { headers: { 'X-Vault-Token': token, 'X-Vault-Request': 'true' }, signal, cache: 'no-store', credentials: 'same-origin' });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError(NETWORK_ERROR_STATUS, [], 'Could not reach the Coffer server', { cause });
  }
  if (!res.ok) throw new ApiError(res.status, errorsOf(await res.json().catch(() => null)), `${res.status} ${res.statusText}`.trim());
  return res.blob();
}

/** Upload progress: bytes sent of total. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * POST the file as the raw body of snapshot (same keys) or snapshot-force
 * (a snapshot taken under other keys). XMLHttpRequest, because fetch reports
 * no upload progress.
 */
export function restoreSnapshot(token: string, file: Blob, force: boolean, onProgress?: UploadProgress): Promise<VaultResponse<null> | null> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(force ? 'sys/storage/raft/snapshot-force' : 'sys/storage/raft/snapshot'));
    xhr.setRequestHeader('X-Vault-Token', token);
    xhr.setRequestHeader('X-Vault-Request', 'true');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(NETWORK_ERROR_STATUS, [], 'Could not reach the Coffer server'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // not JSON: keep the status
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as VaultResponse<null> | null);
      else reject(new ApiError(xhr.status, errorsOf(body), `${xhr.status} ${xhr.statusText}`.trim()));
    };
    xhr.send(file);
  });
}
