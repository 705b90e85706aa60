import { describe, expect, it } from 'vitest';
import { DRILL_STEPS } from '@/lib/drill/types';
import { PHASES, currentPhase, phaseOfStep, stepsOfPhase, timelineOf } from './drill-phases';

describe('drill phases', () => {
  it('every engine step belongs to exactly one screen after the plan', () => {
    const all = PHASES.flatMap((p) => stepsOfPhase(p));
    expect([...all].sort()).toEqual([...DRILL_STEPS].sort());
    expect(stepsOfPhase('plan')).toEqual([]);
    expect(phaseOfStep('disaster')).toBe('run');
    expect(phaseOfStep('failback-switch')).toBe('failback');
  });

  it('follows the latest step that started', () => {
    expect(currentPhase({})).toBe('preflight');
    expect(currentPhase({ preflight: { id: 'preflight', state: 'done' }, prepare: { id: 'prepare', state: 'running' } })).toBe('run');
    expect(
      currentPhase({ verify: { id: 'verify', state: 'done' }, 'failback-rejoin': { id: 'failback-rejoin', state: 'skipped' }, report: { id: 'report', state: 'running' } }),
    ).toBe('report');
  });

  it('the timeline lists every step in order, pending where nothing was heard', () => {
    const t = timelineOf({ promote: { id: 'promote', state: 'failed', summary: 'no' } });
    expect(t.map((s) => s.id)).toEqual([...DRILL_STEPS]);
    expect(t.find((s) => s.id === 'promote')!.state).toBe('failed');
    expect(t.find((s) => s.id === 'verify')!.state).toBe('pending');
  });
});
