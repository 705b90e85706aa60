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

async function probe(mgr: ReplicationManager): Promise<void> {
  if (mgr.opts.core.barrier.sealed) return;
  for (const m of MODES) {
    const s = mgr.state(m);
    if (s.mode !== 'primary' || s.supersededBy) continue;
    for (const k of s.secondaries) {
      const api = k.apiAddress;
      if (!api) continue;
      let status: { mode?: string; cluster_id?: string; epoch?: number } | undefined;
      try {
        const r = await fetch(new URL(`/v1/sys/replication/${m}/status`, api), { signal: AbortSignal.timeout(1_500) });
        status = ((await r.json()) as { data?: typeof status }).data;
      } catch {
        continue; // unreachable secondaries prove nothing
      }
      if (status?.mode === 'primary' && status.cluster_id === s.clusterId && (status.epoch ?? 0) > s.epoch) {
        const reason = `secondary "${k.id}" at ${api} was promoted to primary of this replication set (epoch ${status.epoch} > ${s.epoch}); this cluster must be demoted`;
        mgr.logger.error({ mode: m, by: api }, 'superseded by a promoted secondary: refusing secondaries');
        mgr.save(m, { ...mgr.state(m), supersededBy: api, lastError: reason });
        mgr.dropAllStreams(m);
      }
    }
  }
}
