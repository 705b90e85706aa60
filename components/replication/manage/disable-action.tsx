'use client';
// "Disable Replication" on a primary or a secondary (§7.5). A DR secondary
// authorises it with a DR operation token instead of a Vault token.
import { useState } from 'react';
import { KIND_TITLE } from '@/lib/cluster-states';
import { disableReplication, type ReplicationSide } from '@/lib/api/replication-actions';
import type { ReplicationKind } from '@/lib/types/replication';
import { ConfirmDialog } from '../confirm-dialog';
import { Field } from '../field';
import { INPUT_CLASS } from '../form-styles';
import { ActionBlock } from './action-block';
import { useReplicationMutation } from './use-replication-mutation';

interface Props {
  kind: ReplicationKind;
  side: ReplicationSide;
  token: string | null;
  /** Pre-filled from the operation-token wizard on a DR secondary. */
  operationToken?: string;
  onOperationToken?: (t: string) => void;
  goTo?: string;
}

export function DisableAction({ kind, side, token, operationToken = '', onOperationToken, goTo }: Props) {
  const [open, setOpen] = useState(false);
  const needsOpToken = kind === 'dr' && side === 'secondary';
  const disable = useReplicationMutation(() => disableReplication(kind, side, token, needsOpToken ? operationToken : undefined), {
    onDone: () => setOpen(false),
    goTo,
  });
  return (
    <ActionBlock
      title="Disable Replication"
      description={`Turn ${KIND_TITLE[kind]} replication off on this cluster.`}
      buttonLabel="Disable Replication"
      onOpen={() => (disable.reset(), setOpen(true))}
      danger
    >
      <ConfirmDialog
        open={open}
        danger
        title="Disable Replication?"
        body={
          <ul className="list-disc space-y-1 pl-5">
            {side === 'primary' ? (
              <>
                <li>Secondaries will no longer be able to connect.</li>
                <li>Secondaries that reconnect after replication is enabled again will be wiped.</li>
                <li>The cluster ID changes when replication is enabled again.</li>
                {kind === 'dr' ? <li className="font-semibold">This cannot be undone.</li> : null}
              </>
            ) : (
              <>
                <li>This cluster stops replicating; its storage is wiped the next time it connects to a primary.</li>
                <li>The cluster ID changes.</li>
              </>
            )}
          </ul>
        }
        confirmText={KIND_TITLE[kind]}
        confirmLabel="Disable Replication"
        canConfirm={!needsOpToken || operationToken.trim() !== ''}
        onConfirm={() => disable.mutate(undefined)}
        onCancel={() => setOpen(false)}
        pending={disable.isPending}
        error={disable.error}
      >
        {needsOpToken ? (
          <Field label="DR operation token" required>
            {(c) => (
              <input {...c} type="password" autoComplete="off" value={operationToken} onChange={(e) => onOperationToken?.(e.target.value)} className={`${INPUT_CLASS} font-mono`} />
            )}
          </Field>
        ) : null}
      </ConfirmDialog>
    </ActionBlock>
  );
}
