import { PageHeader } from '@/components/ui/page-header';
import { TableSkeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <>
      <PageHeader title="ACL policies" description="Policies grant capabilities on paths (sys/policies/acl)." />
      <TableSkeleton columns={2} label="Loading policies" />
    </>
  );
}
