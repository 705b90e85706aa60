import { PageHeader } from '@/components/ui/page-header';
import { TableSkeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <>
      <PageHeader title="Raft Storage" description="The nodes of this cluster’s integrated storage (sys/storage/raft)." />
      <TableSkeleton columns={5} rows={3} label="Loading raft peers" />
    </>
  );
}
