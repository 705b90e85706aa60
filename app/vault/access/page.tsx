import type { Metadata } from 'next';
import { AuthMethodsTable } from '@/components/access/auth-methods-table';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Access' };

export default function AccessPage() {
  return (
    <>
      <PageHeader title="Authentication methods" description="Ways to sign in to this cluster (sys/auth)." />
      <AuthMethodsTable />
    </>
  );
}
