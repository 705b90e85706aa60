import { PageHeader } from '@/components/ui/page-header';
import { TableSkeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <>
      <PageHeader title="Authentication methods" description="Ways to sign in to this cluster (sys/auth)." />
      <TableSkeleton columns={4} label="Loading authentication methods" />
    </>
  );
}
