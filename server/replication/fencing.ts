import type { ReplicationManager } from './manager';
import { MODES } from './state';

// Never two primaries: a primary that comes back after one of its secondaries
// was promoted must notice and stand down. Every PROBE_INTERVAL_MS a primary
// asks its known secondaries (over their unauthenticated status endpoint)
// whether one of them now leads the same replication set with a newer epoch;
// if so it records who superseded it, drops its secondaries and refuses new
// ones (the epoch check in the hello does the same from the other side).
export const PROBE_INTERVAL_MS = 2_000;

export function startFencingProbe(mgr: ReplicationManager): () => void {
  const timer = setInterval(() => void probe(mgr).catch(() => {}), PROBE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

async function statusAt(api: string, m: string): Promise<{ mode?: string; cluster_id?: string; epoch?: number; superseded_by?: string } | undefined> {
  try {
    const r = await fetch(new URL(`/v1/sys/replication/${m}/status`, api), { signal: AbortSignal.timeout(1_500) });
    return ((await r.json()) as { data?: { mode?: string; cluster_id?: string; epoch?: number } }).data;
  } catch {
    return undefined; // unreachable proves nothing
  }
}

async function probe(mgr: ReplicationManager): Promise<void> {
  if (mgr.opts.core.barrier.sealed) return;
  for (const m of MODES) {
    const s = mgr.state(m);
    // A promoted primary watches the primary it replaced, so its status can say if that one returned undemoted.
    if (s.mode === 'primary' && s.formerPrimaryApiAddr) {
      const old = await statusAt(s.formerPrimaryApiAddr, m);
      const stale = old?.mode === 'primary' && old.cluster_id === s.clusterId && (old.epoch ?? 0) < s.epoch;
      const warning = stale
        ? `former primary at ${s.formerPrimaryApiAddr} is running as primary again without being demoted (epoch ${old?.epoch} < ${s.epoch}); its secondaries refuse it — demote it`
        : '';
      if (old && warning !== s.stalePrimaryWarning) mgr.save(m, { ...mgr.state(m), stalePrimaryWarning: warning });
    }
    if (s.mode !== 'primary' || s.supersededBy) continue;
    for (const k of s.secondaries) {
      const api = k.apiAddress;
      // A secondary streaming from us right now has not been promoted: no need to ask it.
      if (!api || k.revoked || mgr.streams[m].get(k.id)?.link.connected) continue;
      const status = await statusAt(api, m);
      if (status?.mode === 'primary' && status.cluster_id === s.clusterId && (status.epoch ?? 0) > s.epoch) {
        const reason = `secondary "${k.id}" at ${api} was promoted to primary of this replication set (epoch ${status.epoch} > ${s.epoch}); this cluster must be demoted`;
        mgr.logger.error({ mode: m, by: api }, 'superseded by a promoted secondary: refusing secondaries');
        mgr.save(m, { ...mgr.state(m), supersededBy: api, lastError: reason });
        mgr.dropAllStreams(m);
      }
    }
  }
}
