// How `coffer drill` prints: one timeline line per step change, then the
// report (RPO/RTO against targets, canaries, verifications, and — when the
// drill stopped early — the state it left and the commands to get back).
import type { DrillEvent, DrillReport, DrillStepRecord } from '../../../lib/drill/types';
import { STEP_TITLES } from '../../../lib/drill/types';

const time = (iso?: string) => (iso ? iso.slice(11, 23) : '            ');

export function timelineLine(step: DrillStepRecord): string {
  const at = step.state === 'running' ? step.startedAt : step.endedAt;
  return `  ${time(at)}  ${STEP_TITLES[step.id].padEnd(28)} ${step.state.padEnd(8)} ${step.summary ?? ''}`.trimEnd();
}

/** Lines to print for an event (canary seconds stay quiet: they are in the report). */
export function eventLines(e: DrillEvent): string[] {
  if (e.type === 'step' && e.step.state !== 'pending') return [timelineLine(e.step)];
  if (e.type === 'log') return [`  ${time(e.at)}    ${e.message}`];
  return [];
}

const ms = (v: number | null) => (v === null ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`);

export function reportLines(r: DrillReport): string[] {
  const out = [
    '',
    `==> Drill ${r.id}: ${r.plan.kind === 'planned' ? 'planned switchover' : 'unplanned failover'} ${r.plan.primary.name} → ${r.plan.secondary.name}`,
    `Outcome         ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`,
    `RPO             ${r.rpo.lost} canaries lost, window ${ms(r.rpo.windowMs)} (target ${ms(r.rpo.targetMs)}): ${r.rpo.met ? 'met' : 'MISSED'}` +
      (r.rpo.lagAtDisasterWals !== null ? `; lag at the disaster ${r.rpo.lagAtDisasterWals} WAL entries` : ''),
    `RTO             ${ms(r.rto.ms)} (target ${ms(r.rto.targetMs)}): ${r.rto.met ? 'met' : 'MISSED'}`,
    `Canaries        ${r.canaries.written} written, ${r.canaries.acknowledged} acknowledged (${r.canaries.ackedByOld} by ${r.plan.primary.name}, ${r.canaries.ackedByNew} by ${r.plan.secondary.name})`,
  ];
  if (r.rpo.lost) out.push(`Lost canaries   ${r.rpo.lostSeqs.join(', ')} (acknowledged ${r.rpo.firstLostAt} … ${r.rpo.lastLostAt})`);
  if (r.verifications.length) {
    out.push('Verifications');
    for (const v of r.verifications) out.push(`  ${v.ok ? 'ok  ' : 'FAIL'}  [${v.phase}] ${v.name}: ${v.detail}`);
  }
  if (r.leftState) {
    out.push('', 'Left state', `  ${r.leftState.description}`, '', 'To get back');
    for (const c of r.leftState.recovery) out.push(`  ${c}`);
  }
  out.push('', r.storedOn ? `Stored in sys/drills/${r.id} on ${r.storedOn}` : 'The report could not be stored in sys/drills.');
  return out;
}
