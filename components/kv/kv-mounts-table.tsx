'use client';
// The secrets engines list, with KV mounts opening the KV browser.
import { useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { DataTable, type Column } from '@/components/ui/data-table';
import { MountType } from '@/components/secrets/mount-type';
import { useToken } from '@/components/shell/use-token';
import { secretMountsQuery, type MountRow } from '@/lib/api/mounts';
import { kvListHref } from './kv-hrefs';

const COLUMNS: Column<MountRow>[] = [
  {
    header: 'Path',
    cell: (m) =>
      m.type === 'kv' ? (
        <Link href={kvListHref(m.path, '')} className="font-mono font-medium text-brand hover:text-brand-dark hover:underline">
          {m.path}
        </Link>
      ) : (
        <span className="font-mono font-medium text-gray-900">{m.path}</span>
      ),
  },
  { header: 'Type', cell: (m) => <MountType row={m} /> },
  { header: 'Description', cell: (m) => <span className="text-gray-700">{m.description}</span> },
];

export function KvMountsTable() {
  const { data } = useSuspenseQuery(secretMountsQuery(useToken()));
  return <DataTable label="Secrets engines" columns={COLUMNS} rows={data} rowKey={(m) => m.path} empty="No secrets engines are enabled." />;
}
