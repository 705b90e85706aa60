'use client';
// The Details tab of /ui/vault/replication/<kind>: the enable form while that
// kind is disabled, a spinner while bootstrapping, else the dashboard.
import { KIND_TITLE } from '@/lib/cluster-states';
import type { ReplicationKind } from '@/lib/types/replication';
import { EnableReplicationForm } from './enable-replication-form';
import { PrimaryDashboard } from './primary-dashboard';
import { ReplicationSkeleton } from './replication-skeleton';
import { SecondaryDashboard } from './secondary-dashboard';
import { StateValue } from './state-glyph';
import { useReplicationStatus } from './use-replication-status';

export function ModeDetails({ kind }: { kind: ReplicationKind }) {
  const { data } = useReplicationStatus();
  if (!data) return <ReplicationSkeleton />;
  const status = data[kind];
  switch (status.mode) {
    case 'primary':
      return <PrimaryDashboard kind={kind} status={status} />;
    case 'secondary':
      return <SecondaryDashboard kind={kind} status={status} />;
    case 'bootstrapping':
      return (
        <div role="status" className="rounded-lg border border-gray-200 bg-white p-6">
          <StateValue state="bootstrapping" size="lg" />
          <p className="mt-2 text-sm text-gray-600">Replication is being set up; this page updates when it is ready.</p>
        </div>
      );
    default:
      return (
        <section aria-labelledby="enable-heading">
          <h2 id="enable-heading" className="text-lg font-semibold text-gray-900">
            Enable {KIND_TITLE[kind]} replication
          </h2>
          <p className="mb-6 mt-1 text-sm text-gray-600">{KIND_TITLE[kind]} replication is not enabled on this cluster.</p>
          <EnableReplicationForm fixedKind={kind} status={data} />
        </section>
      );
  }
}
