import { PageHeader } from '@/components/ui/page-header';
import { TableSkeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <>
      <PageHeader title="Secrets engines" description="Engines enabled on this cluster (sys/mounts)." />
      <TableSkeleton columns={3} label="Loading secrets engines" />
    </>
  );
}
