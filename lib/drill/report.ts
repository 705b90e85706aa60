import { computeRpo, computeRto } from './rpo-rto';
import { leftStateFor } from './recovery';
import type { DrillRun } from './run-context';
import { DEFAULT_CANARY_MOUNT, DEFAULT_CANARY_RATE, DEFAULT_SAMPLE_SIZE, DRILL_STEPS, type DrillOutcome, type DrillPlanPublic, type DrillReport } from './types';

// The report a drill ends with: no tokens in it, every step, the canary
// series, RPO/RTO against their targets, verifications, and — when it did not
// run to the end — the state it left and how to get back.
export function publicPlan(run: DrillRun): DrillPlanPublic {
  const p = run.plan;
  return {
    kind: p.kind,
    primary: { name: run.primary.name, addr: run.primary.addr },
    secondary: { name: run.secondary.name, addr: run.secondary.addr },
    others: run.others.map((o) => ({ name: o.name, addr: o.addr })),
    targets: { ...p.targets },
    canaryRate: p.canaryRate ?? DEFAULT_CANARY_RATE,
    canaryMount: p.canaryMount ?? DEFAULT_CANARY_MOUNT,
    keepCanaries: p.keepCanaries ?? false,
    failBack: p.failBack ?? true,
    sampleSize: p.sampleSize ?? DEFAULT_SAMPLE_SIZE,
    drTokenSource: run.steps.get('preflight')?.checks?.some((c) => c.name === 'DR operation token' && c.severity !== 'warning' && c.ok) ? 'batch' : 'operation',
  };
}

/** `incomplete`: the drill stopped before its last step (an abort or a failed step). */
export function buildReport(run: DrillRun, outcome: DrillOutcome, reason: string | undefined, incomplete: boolean): DrillReport {
  const w = run.writer;
  const acks = w?.acks ?? [];
  const rpo = run.rpo ?? computeRpo(acks.filter((a) => run.disasterAt === null || a.at <= run.disasterAt), new Set(), run.disasterAt, run.plan.targets.rpoMs, run.lagAtDisaster);
  const rto = computeRto(acks, run.disasterAt, run.plan.targets.rtoMs);
  const report: DrillReport = {
    id: run.id,
    version: 1,
    plan: publicPlan(run),
    startedAt: run.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    outcome,
    ...(reason ? { reason } : {}),
    steps: DRILL_STEPS.map((id) => ({ ...run.steps.get(id)! })),
    canaries: { written: w?.written ?? 0, acknowledged: acks.length, ackedByOld: w?.ackedBy('old') ?? 0, ackedByNew: w?.ackedBy('new') ?? 0, series: w?.series ?? [] },
    rpo,
    rto,
    verifications: run.verifications,
    storedOn: null,
  };
  if (incomplete)
    report.leftState = leftStateFor(run.progress, {
      primary: run.primary,
      secondary: run.secondary,
      others: run.others,
      canaryMount: run.plan.canaryMount ?? DEFAULT_CANARY_MOUNT,
      kind: run.plan.kind,
    });
  return report;
}
