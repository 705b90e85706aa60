// The drill history (sys/drills, kept behind the barrier of the cluster that
// ran the drill) and what the drill screen asks of the clusters it may act
// on: their health (name, DR role), their replication peers, and whether a
// `coffer lab` control endpoint answers for them.
import { queryOptions } from '@tanstack/react-query';
import type { DrillReport, DrillSummary } from '@/lib/drill/types';
import type { HealthResponse } from '@/lib/types/cluster-status';
import type { ReplicationStatusResponse } from '@/lib/types/replication';
import { HEALTH_PATH } from './cluster-status';
import { ApiError } from './api-error';
import { vaultFetch } from './client';

export const DRILLS_PATH = 'sys/drills';

export interface DrillHistoryRow extends DrillSummary {
  id: string;
}

/** LIST sys/drills, newest first. A 404 is Vault's empty list. */
export async function listDrills(token: string, signal?: AbortSignal): Promise<DrillHistoryRow[]> {
  try {
    const res = await vaultFetch<{ data: { keys?: string[]; key_info?: Record<string, DrillSummary> } }>(`${DRILLS_PATH}?list=true`, { token, signal });
    const info = res?.data?.key_info ?? {};
    return (res?.data?.keys ?? []).map((id) => ({ id, ...info[id] })).sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}

export async function readDrill(token: string, id: string, signal?: AbortSignal): Promise<DrillReport> {
  const res = await vaultFetch<{ data: DrillReport }>(`${DRILLS_PATH}/${encodeURIComponent(id)}`, { token, signal });
  return res.data;
}

export const drillsQuery = (token: string) =>
  queryOptions({ queryKey: ['sys', 'drills'], queryFn: ({ signal }) => listDrills(token, signal) });

export const drillQuery = (token: string, id: string) =>
  queryOptions({ queryKey: ['sys', 'drills', id], queryFn: ({ signal }) => readDrill(token, id, signal) });

/** A cluster the drill screen can offer: its address and what its unauthenticated health says. */
export interface KnownCluster {
  addr: string;
  name: string | null;
  drMode: string | null;
  perfMode: string | null;
  /** Why it could not be asked (unreachable, CORS not allowing this console). */
  problem: string | null;
}

export async function probeCluster(addr: string, signal?: AbortSignal): Promise<KnownCluster> {
  try {
    const h = await vaultFetch<HealthResponse>(HEALTH_PATH, { baseUrl: addr, signal });
    return { addr, name: h.cluster_name ?? null, drMode: h.replication_dr_mode ?? null, perfMode: h.replication_performance_mode ?? null, problem: null };
  } catch (err) {
    if (signal?.aborted) throw err;
    const problem =
      err instanceof ApiError && err.status !== 0
        ? `answered HTTP ${err.status}`
        : 'unreachable from this browser (stopped, or its sys/config/cors does not allow this console)';
    return { addr, name: null, drMode: null, perfMode: null, problem };
  }
}

/** Replication peers a cluster names, by API address (its DR and performance secondaries or primaries). */
export async function peerAddrs(addr: string, token: string | null, signal?: AbortSignal): Promise<string[]> {
  const res = await vaultFetch<ReplicationStatusResponse>('sys/replication/status', { baseUrl: addr, token, signal });
  const out: string[] = [];
  for (const kind of ['dr', 'performance'] as const) {
    const s = res?.data?.[kind];
    for (const p of [...(s?.secondaries ?? []), ...(s?.primaries ?? [])]) if (p.api_address) out.push(p.api_address);
  }
  return out;
}

/** The addresses to offer, in order, each once: this cluster, its peers, the status wall's list. */
export function mergeClusterAddrs(...lists: (readonly string[])[]): string[] {
  const out: string[] = [];
  for (const list of lists)
    for (const raw of list) {
      const addr = raw.trim().replace(/\/+$/, '');
      if (addr && /^https?:\/\//.test(addr) && !out.includes(addr)) out.push(addr);
    }
  return out;
}

/**
 * Can a `coffer lab` stop and start clusters for an unplanned drill here?
 * Only clusters started by the lab answer sys/lab/clusters; anything else
 * says why not, in words the plan shows next to the greyed-out choice.
 */
export async function labControlProblem(addr: string, token: string, signal?: AbortSignal): Promise<string | null> {
  try {
    await vaultFetch('sys/lab/clusters?list=true', { baseUrl: addr, token, signal });
    return null;
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof ApiError && (err.status === 404 || err.status === 405))
      return `${addr} was not started by \`coffer lab\`: it has no lab control endpoint to stop the primary without warning. Run a planned switchover instead.`;
    if (err instanceof ApiError && err.status === 403) return `The token for ${addr} may not use the lab control endpoint (sys/lab/clusters).`;
    return `The lab control endpoint of ${addr} did not answer: ${err instanceof Error ? err.message : String(err)}`;
  }
}
