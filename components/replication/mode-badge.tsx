// The role tag beside a replication title: primary / secondary / bootstrapping.
export function ModeBadge({ mode }: { mode: string | undefined }) {
  const tone =
    mode === 'primary'
      ? 'bg-blue-50 text-brand-dark ring-blue-200'
      : mode === 'secondary'
        ? 'bg-violet-50 text-violet-800 ring-violet-200'
        : 'bg-gray-100 text-gray-700 ring-gray-300';
  return (
    <span className={`inline-flex items-center rounded px-2 py-0.5 font-mono text-xs font-semibold ring-1 ${tone}`} data-testid="mode-badge">
      {mode ?? 'loading'}
    </span>
  );
}

export function IdBadge({ label, value }: { label: string; value: string }) {
  if (!value) return null;
  return (
    <span className="inline-flex items-center rounded bg-gray-100 px-2 py-0.5 font-mono text-xs text-gray-700 ring-1 ring-gray-200" title={label}>
      <span className="sr-only">{label}: </span>
      {value}
    </span>
  );
}
