import { call, must } from './http';

// Read-only facts about a cluster the drill needs: its name, its replication
// status per kind, its cluster address, whether a token works on it.
export type ReplMode = 'dr' | 'performance';

export async function clusterName(addr: string): Promise<string | null> {
  // A DR secondary answers sys/health with 472 and still names itself.
  const r = await call(addr, 'GET', 'sys/health?drsecondarycode=200&standbycode=200&perfstandbyok=true');
  return typeof r.body?.cluster_name === 'string' ? r.body.cluster_name : null;
}

export async function replStatus(addr: string, mode: ReplMode, signal?: AbortSignal): Promise<Record<string, any>> {
  const body = await must(addr, 'GET', `sys/replication/${mode}/status`, { signal });
  return body?.data ?? {};
}

/** The cluster address a secondary can follow with update_primary_addrs (sys/leader, allowed on DR secondaries too). */
export async function clusterAddrOf(addr: string, signal?: AbortSignal): Promise<string> {
  const body = await must(addr, 'GET', 'sys/leader', { signal });
  const a = body?.leader_cluster_address;
  if (typeof a !== 'string' || !a) throw new Error(`${addr} did not name its cluster address (sys/leader)`);
  return a;
}

export async function tokenWorks(addr: string, token: string): Promise<{ ok: boolean; detail: string; ttl?: number; type?: string }> {
  const r = await call(addr, 'GET', 'auth/token/lookup-self', { token });
  if (r.status === 200) return { ok: true, detail: 'token valid', ttl: r.body?.data?.ttl, type: r.body?.data?.type };
  return { ok: false, detail: r.status === 0 ? r.error : `token refused (${r.status}: ${r.error})` };
}

/** A DR primary's last WAL minus a DR secondary's last remote WAL (null if either is unknown). */
export async function drLag(primary: string, secondary: string): Promise<number | null> {
  try {
    const [p, s] = await Promise.all([replStatus(primary, 'dr'), replStatus(secondary, 'dr')]);
    const last = p.last_dr_wal ?? p.last_wal;
    if (typeof last !== 'number' || typeof s.last_remote_wal !== 'number') return null;
    return Math.max(0, last - s.last_remote_wal);
  } catch {
    return null;
  }
}

/** Both DR statuses report the same merkle root and the secondary streams. */
export async function drInSync(primary: string, secondary: string, signal?: AbortSignal): Promise<string | null> {
  const [p, s] = await Promise.all([replStatus(primary, 'dr', signal), replStatus(secondary, 'dr', signal)]);
  return p.mode === 'primary' && s.state === 'stream-wals' && p.merkle_root && p.merkle_root === s.merkle_root ? p.merkle_root : null;
}
