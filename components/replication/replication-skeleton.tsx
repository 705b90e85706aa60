// The dashboard's shape while its status loads: title, tabs and three cards.
import { Skeleton } from '@/components/ui/skeleton';

export function ReplicationSkeleton({ label = 'Loading replication status' }: { label?: string }) {
  return (
    <div role="status" aria-busy="true">
      <span className="sr-only">{label}…</span>
      <Skeleton className="mb-3 h-8 w-64" />
      <div className="mb-6 flex gap-4 border-b border-gray-200 pb-3">
        <Skeleton className="h-4 w-16" />
        <Skeleton className="h-4 w-16" />
        <Skeleton className="h-4 w-24" />
      </div>
      <div className="grid gap-6 md:grid-cols-3">
        {[0, 1, 2].map((i) => (
          <div key={i} className="rounded-lg border border-gray-200 bg-white p-5">
            <Skeleton className="h-4 w-24" />
            <Skeleton className="mt-2 h-3 w-40" />
            <Skeleton className="mt-6 h-7 w-28" />
          </div>
        ))}
      </div>
    </div>
  );
}
