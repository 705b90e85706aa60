// What the signed-in frame shows before it knows who is signed in: the same
// header and a page-shaped placeholder, so nothing jumps once it does.
import { Skeleton, TableSkeleton } from '@/components/ui/skeleton';
import { AppHeader } from './app-header';

export function FrameSkeleton() {
  return (
    <div className="min-h-full">
      <AppHeader
        nav={
          <div aria-hidden="true" className="flex gap-3">
            {[0, 1, 2, 3].map((i) => (
              <div key={i} className="h-4 w-16 rounded bg-chrome-raised" />
            ))}
          </div>
        }
        right={<div aria-hidden="true" className="h-4 w-32 rounded bg-chrome-raised" />}
      />
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        <Skeleton className="mb-6 h-7 w-56" />
        <TableSkeleton columns={3} label="Loading Coffer" />
      </main>
    </div>
  );
}
