// A dashboard card: title, one line of help, and a value area of fixed
// height, so live values never push the layout around.
import type { ReactNode } from 'react';

interface MetricCardProps {
  title: ReactNode;
  help?: ReactNode;
  children: ReactNode;
  /** Red border when the card reports a problem. */
  alarm?: boolean;
  actions?: ReactNode;
  testId?: string;
  className?: string;
}

export function MetricCard({ title, help, children, alarm, actions, testId, className = '' }: MetricCardProps) {
  return (
    <section
      data-testid={testId}
      className={`rounded-lg border bg-white p-5 shadow-sm ${alarm ? 'border-red-300 ring-1 ring-red-200' : 'border-gray-200'} ${className}`}
    >
      <div className="flex items-start justify-between gap-4">
        <div>
          <h3 className="text-base font-semibold text-gray-900">{title}</h3>
          {help ? <p className="mt-1 text-xs text-gray-600">{help}</p> : null}
        </div>
        {actions ? <div className="flex shrink-0 items-center gap-3 text-sm">{actions}</div> : null}
      </div>
      <div className="mt-4">{children}</div>
    </section>
  );
}

/** A big number that keeps its width as digits change. */
export function BigNumber({ value, unit, testId }: { value: number | string | null; unit?: string; testId?: string }) {
  return (
    <p className="font-mono text-3xl font-semibold tabular-nums text-gray-900" data-testid={testId}>
      <span className="inline-block min-w-[6ch]">
        {value ?? '—'}
        {unit && value !== null ? <span className="ml-1 text-base font-medium text-gray-500">{unit}</span> : null}
      </span>
    </p>
  );
}
