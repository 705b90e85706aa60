import type { DrillReport, DrillSummary } from './types';

// The one-line summary sys/drills lists per drill (key_info), computed from a
// stored report. Kept apart from the engine so the server imports only this.
export function summaryOf(r: DrillReport): DrillSummary {
  return {
    kind: r.plan?.kind,
    outcome: r.outcome,
    started_at: r.startedAt,
    primary: r.plan?.primary?.name,
    secondary: r.plan?.secondary?.name,
    rpo_met: Boolean(r.rpo?.met),
    rto_met: Boolean(r.rto?.met),
    rto_ms: r.rto?.ms ?? null,
    rpo_lost: r.rpo?.lost ?? 0,
  };
}
