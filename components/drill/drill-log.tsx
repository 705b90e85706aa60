// The engine's running commentary, newest last, read out politely.
import { STEP_TITLES } from '@/lib/drill/types';
import type { DrillLogLine } from './use-drill-run';
import { formatTime } from './step-timeline';

const SHOWN = 12;

export function DrillLog({ lines }: { lines: DrillLogLine[] }) {
  const shown = lines.slice(-SHOWN);
  return (
    <section aria-labelledby="drill-log" className="rounded-lg border border-gray-200 bg-white p-4">
      <h3 id="drill-log" className="text-sm font-semibold text-gray-900">
        Activity
      </h3>
      {shown.length === 0 ? (
        <p className="mt-2 text-sm text-gray-600">Nothing yet.</p>
      ) : (
        <ol aria-live="polite" className="mt-2 space-y-1 font-mono text-xs text-gray-700">
          {shown.map((l, i) => (
            <li key={`${l.at}-${i}`}>
              <span className="text-gray-500">{formatTime(l.at)}</span> <span className="text-gray-500">[{STEP_TITLES[l.step]}]</span> {l.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
