'use client';
// "Promote cluster" (§2.3, §7.5): secondary → primary. On DR the request is
// authorised by a DR operation token (from the wizard or a batch token).
import { useState } from 'react';
import { promoteSecondary } from '@/lib/api/replication-actions';
import type { ReplicationKind } from '@/lib/types/replication';
import { ConfirmDialog } from '../confirm-dialog';
import { Field } from '../field';
import { INPUT_CLASS } from '../form-styles';
import { ActionBlock } from './action-block';
import { useReplicationMutation } from './use-replication-mutation';

interface Props {
  kind: ReplicationKind;
  token: string | null;
  operationToken: string;
  onOperationToken: (t: string) => void;
  goTo?: string;
}

export function PromoteAction({ kind, token, operationToken, onOperationToken, goTo }: Props) {
  const [open, setOpen] = useState(false);
  const [addr, setAddr] = useState('');
  const [force, setForce] = useState(false);
  const isDr = kind === 'dr';
  const promote = useReplicationMutation(
    () => promoteSecondary(kind, token, { dr_operation_token: isDr ? operationToken : undefined, primary_cluster_addr: addr, force }),
    { onDone: () => setOpen(false), goTo },
  );
  return (
    <ActionBlock
      title="Promote cluster"
      description={
        isDr
          ? 'Make this DR secondary the primary, after the current primary is lost or demoted. Needs a DR operation token.'
          : 'Make this performance secondary the primary of its replication set.'
      }
      buttonLabel="Promote"
      onOpen={() => (promote.reset(), setOpen(true))}
    >
      <ConfirmDialog
        open={open}
        title="Promote cluster?"
        body={
          <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
            Never run two primaries of one replication set: demote or disable the old primary first. Other secondaries will need new activation
            tokens to follow this cluster.
          </p>
        }
        confirmLabel="Promote"
        canConfirm={!isDr || operationToken.trim() !== ''}
        onConfirm={() => promote.mutate(undefined)}
        onCancel={() => setOpen(false)}
        pending={promote.isPending}
        error={promote.error}
      >
        {isDr ? (
          <Field label="DR Operation Token" required help={operationToken ? undefined : 'Generate one with “Generate operation token”, or use a batch DR operation token.'}>
            {(c) => (
              <input {...c} type="password" autoComplete="off" value={operationToken} onChange={(e) => onOperationToken(e.target.value)} className={`${INPUT_CLASS} font-mono`} />
            )}
          </Field>
        ) : null}
        <Field label="Primary cluster address (optional)" help="Overrides the cluster address that the primary gives to secondary nodes.">
          {(c) => <input {...c} type="text" spellCheck={false} value={addr} onChange={(e) => setAddr(e.target.value)} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <label className="flex items-start gap-2 text-sm text-gray-800">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} className="mt-0.5 h-4 w-4 accent-brand" />
          <span>
            <span className="font-semibold">Force promotion of this cluster</span>
            <span className="block text-xs text-gray-600">Skips safety checks; data not yet replicated from the old primary may be lost.</span>
          </span>
        </label>
      </ConfirmDialog>
    </ActionBlock>
  );
}
