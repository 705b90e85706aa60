import type { Metadata } from 'next';
import { PoliciesTable } from '@/components/policies/policies-table';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Policies' };

export default function PoliciesPage() {
  return (
    <>
      <PageHeader title="ACL policies" description="Policies grant capabilities on paths (sys/policies/acl)." />
      <PoliciesTable />
    </>
  );
}
