'use client';
// "Revoke a secondary" (§2.2): disconnect one secondary now and refuse it
// until it gets a new activation token.
import { useState } from 'react';
import { KIND_TITLE } from '@/lib/cluster-states';
import { revokeSecondary } from '@/lib/api/replication-actions';
import type { ReplicationKind } from '@/lib/types/replication';
import { ConfirmDialog } from '../confirm-dialog';
import { Field } from '../field';
import { INPUT_CLASS } from '../form-styles';
import { ActionBlock } from './action-block';
import { useReplicationMutation } from './use-replication-mutation';

export function RevokeSecondaryAction({ kind, token, knownIds }: { kind: ReplicationKind; token: string; knownIds: string[] }) {
  const [open, setOpen] = useState(false);
  const [id, setId] = useState('');
  const revoke = useReplicationMutation(() => revokeSecondary(kind, token, id), { onDone: () => (setOpen(false), setId('')) });
  const listId = `known-secondaries-${kind}`;
  return (
    <ActionBlock
      title="Revoke a secondary"
      description="Disconnect a secondary at once. It cannot reconnect until it is given a new activation token."
      buttonLabel="Revoke"
      onOpen={() => (revoke.reset(), setOpen(true))}
      danger
    >
      <ConfirmDialog
        open={open}
        danger
        title="Revoke a secondary token"
        body={<p>This will revoke this secondary token. The secondary is disconnected immediately.</p>}
        confirmText={KIND_TITLE[kind]}
        confirmLabel="Revoke"
        canConfirm={id.trim() !== ''}
        onConfirm={() => revoke.mutate(undefined)}
        onCancel={() => setOpen(false)}
        pending={revoke.isPending}
        error={revoke.error}
      >
        <Field label="Secondary ID" help={id.trim() ? undefined : 'Enter the ID of the secondary to revoke.'}>
          {(c) => (
            <>
              <input {...c} type="text" list={listId} spellCheck={false} autoComplete="off" value={id} onChange={(e) => setId(e.target.value)} className={`${INPUT_CLASS} font-mono`} />
              <datalist id={listId}>
                {knownIds.map((k) => (
                  <option key={k} value={k} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </ConfirmDialog>
    </ActionBlock>
  );
}
