// Every engine step with its state and timestamps, as a list a screen reader
// reads in order: "Promote DR secondary — running, started 07:31:04".
import { STEP_TITLES, type DrillStepRecord, type DrillStepState } from '@/lib/drill/types';

const STATE_STYLE: Record<DrillStepState, { dot: string; text: string }> = {
  pending: { dot: 'bg-gray-300', text: 'text-gray-500' },
  running: { dot: 'bg-brand motion-safe:animate-pulse', text: 'text-brand-dark' },
  done: { dot: 'bg-ok', text: 'text-ok' },
  failed: { dot: 'bg-danger', text: 'text-danger' },
  skipped: { dot: 'bg-gray-200 ring-1 ring-gray-400', text: 'text-gray-500' },
  aborted: { dot: 'bg-amber-500', text: 'text-amber-700' },
};

export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(11, 23);
}

function duration(s: DrillStepRecord): string {
  if (!s.startedAt || !s.endedAt) return '';
  const ms = Date.parse(s.endedAt) - Date.parse(s.startedAt);
  return Number.isFinite(ms) ? (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`) : '';
}

export function StepTimeline({ steps, label = 'Drill timeline' }: { steps: DrillStepRecord[]; label?: string }) {
  return (
    <ol aria-label={label} className="divide-y divide-gray-100 rounded-lg border border-gray-200 bg-white" data-testid="step-timeline">
      {steps.map((s) => {
        const st = STATE_STYLE[s.state];
        return (
          <li key={s.id} className="flex items-start gap-3 px-4 py-2.5 break-inside-avoid" data-testid={`step-${s.id}`} data-state={s.state}>
            <span aria-hidden="true" className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ${st.dot}`} />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline justify-between gap-x-4">
                <span className="text-sm font-semibold text-gray-900">{STEP_TITLES[s.id]}</span>
                <span className="font-mono text-xs text-gray-600 tabular-nums">
                  {s.startedAt ? <time dateTime={s.startedAt}>{formatTime(s.startedAt)}</time> : null}
                  {s.endedAt ? (
                    <>
                      {' → '}
                      <time dateTime={s.endedAt}>{formatTime(s.endedAt)}</time> ({duration(s)})
                    </>
                  ) : null}
                </span>
              </div>
              <p className="text-xs">
                <span className={`font-semibold ${st.text}`} data-testid="step-state">
                  {s.state}
                </span>
                {s.clusters?.length ? <span className="text-gray-600"> · {s.clusters.join(', ')}</span> : null}
                {s.summary ? <span className="text-gray-700"> — {s.summary}</span> : null}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
