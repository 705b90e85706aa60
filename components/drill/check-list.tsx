// Preflight and verification checks: pass/fail, what was seen, and for a
// failure the fix in words.
import type { DrillCheck } from '@/lib/drill/types';

export function CheckList({ checks, label }: { checks: DrillCheck[]; label: string }) {
  if (checks.length === 0) return <p className="text-sm text-gray-600">No checks yet.</p>;
  return (
    <ul aria-label={label} className="divide-y divide-gray-100 rounded-lg border border-gray-200 bg-white">
      {checks.map((c, i) => {
        const warn = !c.ok && c.severity === 'warning';
        return (
          <li key={`${c.name}-${i}`} className="flex gap-3 px-4 py-3 break-inside-avoid" data-testid="check" data-ok={c.ok}>
            <PassFail ok={c.ok} warn={warn} />
            <div className="min-w-0">
              <p className="text-sm font-semibold text-gray-900">{c.name}</p>
              <p className="text-sm text-gray-700">{c.detail}</p>
              {!c.ok && c.fix ? (
                <p className="mt-1 text-sm text-gray-900">
                  <span className="font-semibold">Fix: </span>
                  {c.fix}
                </p>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

export function PassFail({ ok, warn, okText = 'pass', failText = 'fail' }: { ok: boolean; warn?: boolean; okText?: string; failText?: string }) {
  const tone = ok ? 'bg-green-50 text-green-800 ring-green-200' : warn ? 'bg-amber-50 text-amber-800 ring-amber-200' : 'bg-red-50 text-red-800 ring-red-200';
  return (
    <span className={`h-fit shrink-0 rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ring-1 ${tone}`} data-testid="pass-fail">
      {ok ? okText : warn ? 'warn' : failText}
    </span>
  );
}
