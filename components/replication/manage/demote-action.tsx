'use client';
// "Demote cluster": primary → secondary that connects nowhere, keeping its data
// and cluster ID (§2.2, §7.5).
import { useState } from 'react';
import { KIND_TITLE } from '@/lib/cluster-states';
import { demotePrimary } from '@/lib/api/replication-actions';
import type { ReplicationKind } from '@/lib/types/replication';
import { ConfirmDialog } from '../confirm-dialog';
import { ActionBlock } from './action-block';
import { useReplicationMutation } from './use-replication-mutation';

export function DemoteAction({ kind, token, performanceEnabled }: { kind: ReplicationKind; token: string; performanceEnabled: boolean }) {
  const [open, setOpen] = useState(false);
  const demote = useReplicationMutation(() => demotePrimary(kind, token), { onDone: () => setOpen(false) });
  return (
    <ActionBlock
      title="Demote cluster"
      description="Demote this primary to a secondary. It keeps its data and cluster ID, and connects to no primary until you run Update primary."
      buttonLabel="Demote"
      onOpen={() => (demote.reset(), setOpen(true))}
      danger
    >
      <ConfirmDialog
        open={open}
        danger
        title="Demote to secondary?"
        body={
          <ul className="list-disc space-y-1 pl-5">
            <li>This cluster will not connect to a primary.</li>
            <li>It keeps its cluster ID and can rejoin the same replication set without being wiped.</li>
            <li>Use Update primary on it later to point it at the new primary.</li>
            {kind === 'dr' && performanceEnabled ? (
              <li>Performance Replication is also on: the set will lack a performance primary and this cluster becomes read-only.</li>
            ) : null}
          </ul>
        }
        confirmText={KIND_TITLE[kind]}
        confirmLabel="Demote"
        onConfirm={() => demote.mutate(undefined)}
        onCancel={() => setOpen(false)}
        pending={demote.isPending}
        error={demote.error}
      />
    </ActionBlock>
  );
}
