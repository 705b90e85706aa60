// Grey placeholders shown while a page's data loads (loading.tsx files and
// the signed-in frame before the session is known). No hooks: server-safe.

export function Skeleton({ className = '' }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded bg-gray-200 ${className}`} />;
}

export function TableSkeleton({ columns, rows = 4, label = 'Loading' }: { columns: number; rows?: number; label?: string }) {
  return (
    <div role="status" aria-busy="true" className="overflow-hidden rounded-md border border-gray-200 bg-white">
      <span className="sr-only">{label}…</span>
      <div className="flex gap-6 border-b border-gray-200 bg-gray-50 px-4 py-3">
        {Array.from({ length: columns }, (_, i) => (
          <Skeleton key={i} className="h-3 w-24" />
        ))}
      </div>
      {Array.from({ length: rows }, (_, r) => (
        <div key={r} className="flex gap-6 border-b border-gray-100 px-4 py-4 last:border-b-0">
          {Array.from({ length: columns }, (_, i) => (
            <Skeleton key={i} className={`h-4 ${i === columns - 1 ? 'w-64' : 'w-28'}`} />
          ))}
        </div>
      ))}
    </div>
  );
}
