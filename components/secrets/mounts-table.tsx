'use client';
import { useSuspenseQuery } from '@tanstack/react-query';
import { DataTable, type Column } from '@/components/ui/data-table';
import { secretMountsQuery, type MountRow } from '@/lib/api/mounts';
import { useToken } from '@/components/shell/use-token';
import { MountType } from './mount-type';

const COLUMNS: Column<MountRow>[] = [
  { header: 'Path', cell: (m) => <span className="font-mono font-medium text-gray-900">{m.path}</span> },
  { header: 'Type', cell: (m) => <MountType row={m} /> },
  { header: 'Description', cell: (m) => <span className="text-gray-700">{m.description}</span> },
];

export function MountsTable() {
  const { data } = useSuspenseQuery(secretMountsQuery(useToken()));
  return <DataTable label="Secrets engines" columns={COLUMNS} rows={data} rowKey={(m) => m.path} empty="No secrets engines are enabled." />;
}
