'use client';
import { useSuspenseQuery } from '@tanstack/react-query';
import { DataTable, type Column } from '@/components/ui/data-table';
import { MountType } from '@/components/secrets/mount-type';
import { useToken } from '@/components/shell/use-token';
import { authMountsQuery, type MountRow } from '@/lib/api/mounts';

const COLUMNS: Column<MountRow>[] = [
  { header: 'Path', cell: (m) => <span className="font-mono font-medium text-gray-900">{m.path}</span> },
  { header: 'Type', cell: (m) => <MountType row={m} /> },
  { header: 'Description', cell: (m) => <span className="text-gray-700">{m.description}</span> },
  { header: 'Accessor', cell: (m) => <span className="font-mono text-xs text-gray-600">{m.accessor}</span> },
];

export function AuthMethodsTable() {
  const { data } = useSuspenseQuery(authMountsQuery(useToken()));
  return <DataTable label="Authentication methods" columns={COLUMNS} rows={data} rowKey={(m) => m.path} empty="No authentication methods are enabled." />;
}
