import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { KvMountsTable } from '@/components/kv/kv-mounts-table';

export const metadata: Metadata = { title: 'Secrets' };

export default function SecretsPage() {
  return (
    <>
      <PageHeader title="Secrets engines" description="Engines enabled on this cluster (sys/mounts). Open a KV engine to browse its secrets." />
      <KvMountsTable />
    </>
  );
}
