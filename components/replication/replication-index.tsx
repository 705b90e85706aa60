'use client';
// /ui/vault/replication: the Enable Replication form while both kinds are
// disabled, else one card per kind (§7.1).
import { PageHeader } from '@/components/ui/page-header';
import { isEnabled } from '@/lib/api/replication';
import { EnableReplicationForm } from './enable-replication-form';
import { FeedIndicator } from './feed-indicator';
import { OverviewCard } from './overview-card';
import { ReplicationSkeleton } from './replication-skeleton';
import { useReplicationStatus } from './use-replication-status';

export function ReplicationIndex() {
  const { data, connection } = useReplicationStatus();
  if (!data) return <ReplicationSkeleton />;
  if (data.unsupported) {
    return (
      <>
        <PageHeader title="Replication unsupported" />
        <p className="text-sm text-gray-700">This cluster&apos;s configuration cannot replicate.</p>
      </>
    );
  }
  if (!isEnabled(data.dr) && !isEnabled(data.performance)) {
    return (
      <>
        <PageHeader title="Enable Replication" actions={<FeedIndicator connection={connection} />} />
        <EnableReplicationForm status={data} />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Replication" description="Both kinds of replication on this cluster at a glance." actions={<FeedIndicator connection={connection} />} />
      <div className="grid gap-6 md:grid-cols-2">
        <OverviewCard kind="dr" status={data.dr} />
        <OverviewCard kind="performance" status={data.performance} />
      </div>
    </>
  );
}
