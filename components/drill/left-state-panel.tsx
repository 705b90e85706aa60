// What a drill that stopped early left behind, and the exact commands that
// put the original roles back (from the engine's report).
import type { DrillLeftState } from '@/lib/drill/types';

export function LeftStatePanel({ left }: { left: DrillLeftState }) {
  return (
    <section aria-labelledby="drill-left-state" className="rounded-lg border border-amber-300 bg-amber-50 p-5 break-inside-avoid" data-testid="left-state">
      <h3 id="drill-left-state" className="text-base font-semibold text-amber-900">
        State left behind
      </h3>
      <p className="mt-1 text-sm text-amber-900">{left.description}</p>
      {left.recovery.length ? (
        <>
          <p className="mt-3 text-sm font-semibold text-amber-900">How to get back</p>
          <pre className="mt-1 overflow-x-auto whitespace-pre-wrap rounded bg-gray-900 p-3 text-xs text-gray-100">{left.recovery.join('\n')}</pre>
        </>
      ) : null}
    </section>
  );
}
