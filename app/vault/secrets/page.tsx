import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { MountsTable } from '@/components/secrets/mounts-table';

export const metadata: Metadata = { title: 'Secrets' };

export default function SecretsPage() {
  return (
    <>
      <PageHeader title="Secrets engines" description="Engines enabled on this cluster (sys/mounts)." />
      <MountsTable />
    </>
  );
}
