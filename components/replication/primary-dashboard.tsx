// A primary's Details tab (§7.4): State, Last WAL entry, Known Secondaries,
// then the detail rows.
import Link from 'next/link';
import { clusterState } from '@/lib/cluster-states';
import { lastWal } from '@/lib/api/replication';
import type { ReplicationKind, ReplicationModeStatus } from '@/lib/types/replication';
import { DetailsRows } from './details-rows';
import { LINK_CLASS } from './form-styles';
import { KnownSecondariesTable, emptySecondariesText, secondaryRows } from './known-secondaries-table';
import { BigNumber, MetricCard } from './metric-card';
import { StateValue } from './state-glyph';

export function PrimaryDashboard({ kind, status }: { kind: ReplicationKind; status: ReplicationModeStatus }) {
  const rows = secondaryRows(status);
  const state = clusterState(status.state);
  const base = `/vault/replication/${kind}`;
  const warning = status.stale_primary_warning || (status.superseded_by ? `This primary was superseded by ${status.superseded_by}.` : '');
  return (
    <>
      {warning ? (
        <p role="alert" className="mb-6 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800">
          <span className="font-semibold">Not the primary any more: </span>
          {warning}
          {status.last_error ? ` ${status.last_error}` : ''}
        </p>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="grid gap-6">
          <MetricCard title="State" help="The cluster's current operating state." alarm={state.tone === 'error'} testId="card-state">
            <StateValue state={status.state} size="lg" />
            <p className={`mt-2 h-4 text-xs font-medium text-danger ${state.tone === 'error' ? '' : 'invisible'}`}>Check server logs!</p>
          </MetricCard>
          <MetricCard
            title="Last WAL entry"
            help="Index of the last Write-Ahead Log entry written on local storage. Updates live as this cluster writes."
            testId="card-last-wal"
          >
            <BigNumber value={lastWal(status)} testId="last-wal" />
          </MetricCard>
        </div>
        <MetricCard
          className="lg:col-span-2"
          testId="card-known-secondaries"
          title={
            <>
              <span className="tabular-nums">{rows.length}</span> Known Secondaries
            </>
          }
          actions={
            <>
              <Link href={`${base}/secondaries`} className={LINK_CLASS}>
                View all
              </Link>
              <Link href={`${base}/secondaries/add`} className={LINK_CLASS}>
                Add secondary
              </Link>
            </>
          }
        >
          <KnownSecondariesTable rows={rows} empty={emptySecondariesText(kind)} />
        </MetricCard>
      </div>
      <DetailsRows status={status} />
    </>
  );
}
