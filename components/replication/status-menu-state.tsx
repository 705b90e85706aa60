'use client';
// One kind's line in the Status menu: its mode and, when enabled, its state
// with the glyph from the state table. Fed live by the status feed.
import { useQuery } from '@tanstack/react-query';
import { replicationStatusQuery } from '@/lib/api/replication';
import { summaryState } from '@/lib/cluster-states';
import type { ReplicationKind } from '@/lib/types/replication';
import { StateValue } from './state-glyph';

export function StatusMenuState({ kind, fallbackMode }: { kind: ReplicationKind; fallbackMode?: string }) {
  const { data } = useQuery(replicationStatusQuery());
  const status = data?.[kind];
  const mode = status?.mode ?? fallbackMode;
  if (!mode) return null;
  if (mode === 'disabled') return <span className="text-xs text-gray-500">Not enabled</span>;
  return (
    <span className="flex items-center gap-2 text-xs text-gray-600" data-testid={`status-menu-${kind}`}>
      <span className="capitalize">{mode}</span>
      {status ? <StateValue state={summaryState(status)} size="sm" /> : null}
    </span>
  );
}
