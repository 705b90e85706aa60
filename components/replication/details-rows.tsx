// The key/value rows under a dashboard (§7.4): primary_cluster_addr or
// secondary_id, Merkle root index, Mode, Replication set.
import type { ReplicationModeStatus } from '@/lib/types/replication';

export function DetailsRows({ status }: { status: ReplicationModeStatus }) {
  const rows: { label: string; value: string | undefined; mono?: boolean; empty?: string }[] =
    status.mode === 'secondary'
      ? [{ label: 'secondary_id', value: status.secondary_id, mono: true }]
      : [{ label: 'primary_cluster_addr', value: status.primary_cluster_addr, mono: true, empty: 'None set' }];
  rows.push(
    { label: 'Merkle root index', value: status.merkle_root, mono: true },
    { label: 'Mode', value: status.mode },
    { label: 'Replication set', value: status.cluster_id, mono: true },
  );
  return (
    <dl className="mt-8 divide-y divide-gray-200 rounded-lg border border-gray-200 bg-white" aria-label="Replication details">
      {rows.map((r) => (
        <div key={r.label} className="grid grid-cols-1 gap-1 px-5 py-3 sm:grid-cols-3" data-testid={`row-${r.label}`}>
          <dt className="font-mono text-sm font-semibold text-gray-800">{r.label}</dt>
          <dd className={`text-sm text-gray-900 sm:col-span-2 ${r.mono ? 'break-all font-mono' : ''}`}>
            {r.value ? r.value : <span className="text-gray-500">{r.empty ?? 'Not reported'}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
