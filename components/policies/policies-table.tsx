'use client';
import { useSuspenseQuery } from '@tanstack/react-query';
import { DataTable, type Column } from '@/components/ui/data-table';
import { useToken } from '@/components/shell/use-token';
import { aclPoliciesQuery } from '@/lib/api/policies';

/** Vault's built-in policies: root cannot be changed, default cannot be deleted. */
const BUILT_IN: Record<string, string> = {
  root: 'Built in: every capability on every path',
  default: 'Built in: attached to every token',
};

const COLUMNS: Column<string>[] = [
  { header: 'Name', cell: (name) => <span className="font-mono font-medium text-gray-900">{name}</span> },
  { header: 'Notes', cell: (name) => <span className="text-gray-600">{BUILT_IN[name] ?? ''}</span> },
];

export function PoliciesTable() {
  const { data } = useSuspenseQuery(aclPoliciesQuery(useToken()));
  return <DataTable label="ACL policies" columns={COLUMNS} rows={data} rowKey={(n) => n} empty="No ACL policies yet." />;
}
