import { telemetry } from '../telemetry/metrics';
import type { ReplicationManager } from './manager';
import { MODES } from './state';

// Gauges sampled once a second (the log tip, GC figures, per-mode lag,
// heartbeat age and clock skew), so /sys/metrics shows them without every
// write paying for it. Counters and timings are recorded where they happen.
export const SAMPLE_INTERVAL_MS = 1_000;

export function startTelemetrySampler(mgr: ReplicationManager): () => void {
  const { physical } = mgr.opts;
  physical.onFlush = (ms, records) => {
    telemetry.observe('vault.wal.flushReady', ms);
    telemetry.observe('vault.wal.flushReady.queue_len', records);
  };
  const sample = () => {
    const tip = physical.committedIndex;
    telemetry.setGauge('vault.replication.wal.last_wal', tip);
    telemetry.setGauge('vault.wal.gc.total', physical.log.gcStats.total);
    telemetry.setGauge('vault.wal.gc.deleted', physical.log.gcStats.deleted);
    for (const m of MODES) {
      const s = mgr.state(m);
      if (s.mode === 'primary') telemetry.setGauge(m === 'dr' ? 'vault.replication.wal.last_dr_wal' : 'vault.replication.wal.last_performance_wal', tip);
      const r = mgr.runners[m];
      if (r) {
        telemetry.setGauge('vault.replication.lag_ms', r.lagMs, { mode: m });
        telemetry.setGauge('vault.replication.clock_skew_ms', r.clockSkewMs, { mode: m });
        telemetry.setGauge('vault.replication.heartbeat_age_ms', r.lastHeartbeat ? Date.now() - r.lastHeartbeat : 0, { mode: m });
      }
    }
  };
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    physical.onFlush = null;
  };
}
