'use client';
// /ui/vault/replication/drills: the drills this cluster ran (sys/drills, kept
// behind its barrier), newest first, each linking to its printable report.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { DrillHistoryRow } from '@/lib/api/drills';
import { drillsQuery } from '@/lib/api/drills';
import { useToken } from '@/components/shell/use-token';
import { DataTable } from '@/components/ui/data-table';
import { PageHeader } from '@/components/ui/page-header';
import { TableSkeleton } from '@/components/ui/skeleton';
import { ApiErrorAlert } from '@/components/replication/api-error-alert';
import { LINK_CLASS, PRIMARY_BUTTON } from '@/components/replication/form-styles';
import { PassFail } from './check-list';
import { DrillBreadcrumb } from './drill-breadcrumb';
import { formatMs } from './drill-report-view';

export const NEW_DRILL_HREF = '/vault/replication/drills/new';

export function DrillHistory() {
  const token = useToken();
  const drills = useQuery(drillsQuery(token));
  return (
    <>
      <DrillBreadcrumb current="DR drills" />
      <PageHeader
        title="DR drills"
        description="Guided failover and fail-back exercises with measured RPO and RTO. Each report is kept on the cluster that ran the drill."
        actions={
          <Link href={NEW_DRILL_HREF} className={PRIMARY_BUTTON}>
            New drill
          </Link>
        }
      />
      {drills.isPending ? (
        <TableSkeleton columns={6} label="Loading drill history" />
      ) : drills.isError ? (
        <ApiErrorAlert error={drills.error} prefix="Could not list the drills:" />
      ) : (
        <DataTable<DrillHistoryRow>
          label="Drill history"
          rows={drills.data}
          rowKey={(r) => r.id}
          empty={
            <>
              No drills yet on this cluster.{' '}
              <Link href={NEW_DRILL_HREF} className={LINK_CLASS}>
                Plan the first one
              </Link>
              .
            </>
          }
          columns={[
            {
              header: 'Started',
              cell: (r) => (
                <Link href={`/vault/replication/drills/${encodeURIComponent(r.id)}`} className={LINK_CLASS}>
                  {r.started_at ? new Date(r.started_at).toUTCString() : r.id}
                </Link>
              ),
            },
            { header: 'Kind', cell: (r) => (r.kind === 'unplanned' ? 'Unplanned failover' : 'Planned switchover') },
            { header: 'Clusters', cell: (r) => <span className="font-mono text-xs">{`${r.primary} → ${r.secondary}`}</span> },
            { header: 'Outcome', cell: (r) => <span className="font-semibold">{r.outcome}</span> },
            { header: 'RPO', cell: (r) => <Objective met={r.rpo_met} text={`${r.rpo_lost ?? 0} lost`} /> },
            { header: 'RTO', cell: (r) => <Objective met={r.rto_met} text={formatMs(r.rto_ms ?? null)} /> },
          ]}
        />
      )}
    </>
  );
}

function Objective({ met, text }: { met: boolean; text: string }) {
  return (
    <span className="inline-flex items-center gap-2 tabular-nums">
      {text}
      <PassFail ok={met} okText="met" failText="missed" />
    </span>
  );
}
