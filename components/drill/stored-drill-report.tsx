'use client';
// /ui/vault/replication/drills/<id>: one stored report, printable.
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '@/lib/api/api-error';
import { drillQuery } from '@/lib/api/drills';
import { useToken } from '@/components/shell/use-token';
import { ReplicationSkeleton } from '@/components/replication/replication-skeleton';
import { ApiErrorAlert } from '@/components/replication/api-error-alert';
import { DrillBreadcrumb } from './drill-breadcrumb';
import { DrillReportView } from './drill-report-view';

export function StoredDrillReport({ id }: { id: string }) {
  const token = useToken();
  const report = useQuery(drillQuery(token, id));
  return (
    <>
      <DrillBreadcrumb current={`Drill ${id}`} />
      <h1 className="mb-4 text-2xl font-semibold tracking-tight text-gray-900">DR drill report</h1>
      {report.isPending ? (
        <ReplicationSkeleton label="Loading the drill report" />
      ) : report.isError ? (
        report.error instanceof ApiError && report.error.status === 404 ? (
          <p role="alert" className="rounded-md border border-dashed border-gray-300 bg-white px-4 py-10 text-center text-sm text-gray-600">
            No drill <span className="font-mono">{id}</span> in this cluster&apos;s drill history.
          </p>
        ) : (
          <ApiErrorAlert error={report.error} prefix="Could not read the drill report:" />
        )
      ) : (
        <DrillReportView report={report.data} />
      )}
    </>
  );
}
