// The stepper's five screens and which engine steps belong to each. The
// engine walks DRILL_STEPS in order; the screen follows the step it is on.
import { DRILL_STEPS, type DrillStepId, type DrillStepRecord } from '@/lib/drill/types';

export const PHASES = ['plan', 'preflight', 'run', 'failback', 'report'] as const;
export type DrillPhase = (typeof PHASES)[number];

export const PHASE_TITLES: Record<DrillPhase, string> = {
  plan: 'Plan',
  preflight: 'Preflight',
  run: 'Run',
  failback: 'Fail back',
  report: 'Report',
};

const STEP_PHASE: Record<DrillStepId, DrillPhase> = {
  preflight: 'preflight',
  prepare: 'run',
  disaster: 'run',
  promote: 'run',
  'update-primary': 'run',
  verify: 'run',
  'failback-rejoin': 'failback',
  'failback-sync': 'failback',
  'failback-switch': 'failback',
  'failback-verify': 'failback',
  report: 'report',
};

export function phaseOfStep(id: DrillStepId): DrillPhase {
  return STEP_PHASE[id];
}

export function stepsOfPhase(phase: DrillPhase): DrillStepId[] {
  return DRILL_STEPS.filter((s) => STEP_PHASE[s] === phase);
}

/** The screen to show while the engine runs: the phase of the latest step that started. */
export function currentPhase(steps: Partial<Record<DrillStepId, DrillStepRecord>>): DrillPhase {
  let phase: DrillPhase = 'preflight';
  for (const id of DRILL_STEPS) {
    const s = steps[id];
    if (s && s.state !== 'pending' && s.state !== 'skipped') phase = STEP_PHASE[id];
  }
  return phase;
}

/** Every step in order, pending where the engine has not said anything yet. */
export function timelineOf(steps: Partial<Record<DrillStepId, DrillStepRecord>>): DrillStepRecord[] {
  return DRILL_STEPS.map((id) => steps[id] ?? { id, state: 'pending' as const });
}
