import { Skeleton, TableSkeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <>
      <Skeleton className="mb-6 h-7 w-56" />
      <TableSkeleton columns={6} label="Loading DR drills" />
    </>
  );
}
