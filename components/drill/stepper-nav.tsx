// The stepper's heading row: Plan › Preflight › Run › Fail back › Report,
// the current screen marked with aria-current="step".
import { PHASES, PHASE_TITLES, type DrillPhase } from '@/lib/drill-view/drill-phases';

export function StepperNav({ current, failed }: { current: DrillPhase; failed: boolean }) {
  const at = PHASES.indexOf(current);
  return (
    <nav aria-label="Drill steps" className="mb-6 print:hidden">
      <ol className="flex flex-wrap items-center gap-2 text-sm">
        {PHASES.map((p, i) => {
          const state = i < at ? 'done' : i === at ? (failed ? 'failed' : 'current') : 'todo';
          const tone =
            state === 'done'
              ? 'bg-green-50 text-green-800 ring-green-200'
              : state === 'current'
                ? 'bg-brand text-white ring-brand'
                : state === 'failed'
                  ? 'bg-danger text-white ring-danger'
                  : 'bg-white text-gray-500 ring-gray-200';
          return (
            <li key={p} className="flex items-center gap-2" aria-current={i === at ? 'step' : undefined} data-phase={p} data-state={state}>
              <span className={`inline-flex items-center gap-2 rounded-full px-3 py-1 font-semibold ring-1 ${tone}`}>
                <span aria-hidden="true" className="tabular-nums">
                  {state === 'done' ? '✓' : i + 1}
                </span>
                {PHASE_TITLES[p]}
              </span>
              {i < PHASES.length - 1 ? (
                <span aria-hidden="true" className="text-gray-400">
                  ›
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
