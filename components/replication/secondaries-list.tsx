'use client';
// The Secondaries tab (§7.6): every known secondary with a Revoke per row,
// and the way to add one.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { REPLICATION_STATUS_KEY } from '@/lib/api/replication';
import { revokeSecondary } from '@/lib/api/replication-actions';
import type { ReplicationKind } from '@/lib/types/replication';
import { useToken } from '@/components/shell/use-token';
import { ConfirmDialog } from './confirm-dialog';
import { DANGER_BUTTON, PRIMARY_BUTTON } from './form-styles';
import { KnownSecondariesTable, emptySecondariesText, secondaryRows } from './known-secondaries-table';
import { ReplicationSkeleton } from './replication-skeleton';
import { useReplicationStatus } from './use-replication-status';

export function SecondariesList({ kind }: { kind: ReplicationKind }) {
  const token = useToken();
  const queryClient = useQueryClient();
  const { data } = useReplicationStatus();
  const [target, setTarget] = useState<string | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => revokeSecondary(kind, token, id),
    onSuccess: () => {
      setTarget(null);
      void queryClient.invalidateQueries({ queryKey: REPLICATION_STATUS_KEY });
    },
  });
  if (!data) return <ReplicationSkeleton />;
  const status = data[kind];
  if (status.mode !== 'primary') {
    return <p className="text-sm text-gray-600">Only a primary has secondaries. This cluster is {status.mode}.</p>;
  }
  const rows = secondaryRows(status);

  return (
    <section aria-labelledby="secondaries-heading">
      <div className="mb-4 flex items-center justify-between gap-4">
        <h2 id="secondaries-heading" className="text-lg font-semibold text-gray-900">
          <span className="tabular-nums">{rows.length}</span> Known Secondaries
        </h2>
        <Link href={`/vault/replication/${kind}/secondaries/add`} className={PRIMARY_BUTTON}>
          Add secondary
        </Link>
      </div>
      <div className="rounded-lg border border-gray-200 bg-white p-5">
        <KnownSecondariesTable
          rows={rows}
          empty={emptySecondariesText(kind)}
          actions={(r) => (
            <button type="button" onClick={() => (revoke.reset(), setTarget(r.id))} className={`${DANGER_BUTTON} px-3 py-1`} aria-label={`Revoke ${r.id}`}>
              Revoke
            </button>
          )}
        />
      </div>
      <ConfirmDialog
        key={target ?? 'none'}
        open={target !== null}
        danger
        title="Revoke token?"
        body={
          <p>
            This will revoke this secondary token. <span className="font-mono font-semibold">{target}</span> is disconnected at once and cannot
            reconnect until it is given a new activation token.
          </p>
        }
        confirmText={target ?? ''}
        confirmLabel="Revoke"
        onConfirm={() => target && revoke.mutate(target)}
        onCancel={() => setTarget(null)}
        pending={revoke.isPending}
        error={revoke.error}
      />
    </section>
  );
}
