'use client';
// "Update primary" (§2.3): point this secondary at a (new) primary with a
// fresh activation token, without wiping its data.
import { useState } from 'react';
import { updatePrimary } from '@/lib/api/replication-actions';
import { tokenNeedsPrimaryAddr } from '@/lib/api/replication-token';
import type { ReplicationKind } from '@/lib/types/replication';
import { ConfirmDialog } from '../confirm-dialog';
import { Field } from '../field';
import { INPUT_CLASS } from '../form-styles';
import { SecondaryTokenFields, type SecondaryTokenValues } from '../secondary-token-fields';
import { ActionBlock } from './action-block';
import { useReplicationMutation } from './use-replication-mutation';

interface Props {
  kind: ReplicationKind;
  token: string | null;
  operationToken: string;
  onOperationToken: (t: string) => void;
}

const EMPTY: SecondaryTokenValues = { token: '', primary_api_addr: '', ca_file: '', ca_path: '' };

export function UpdatePrimaryAction({ kind, token, operationToken, onOperationToken }: Props) {
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<SecondaryTokenValues>(EMPTY);
  const isDr = kind === 'dr';
  const update = useReplicationMutation(() => updatePrimary(kind, token, { ...values, dr_operation_token: isDr ? operationToken : undefined }), {
    onDone: () => (setOpen(false), setValues(EMPTY)),
  });
  const needsAddr = tokenNeedsPrimaryAddr(values.token);
  const ready = values.token.trim() !== '' && (!needsAddr || values.primary_api_addr.trim() !== '') && (!isDr || operationToken.trim() !== '');
  return (
    <ActionBlock
      title="Update primary"
      description="Point this secondary at a different primary with a new activation token. Its data is kept, not wiped."
      buttonLabel="Update"
      onOpen={() => (update.reset(), setOpen(true))}
    >
      <ConfirmDialog
        open={open}
        title="Update primary"
        body={<p>Changing the primary does not wipe this cluster&apos;s data. Generate the activation token on the new primary with “Add secondary”.</p>}
        confirmLabel="Update"
        canConfirm={ready}
        onConfirm={() => update.mutate(undefined)}
        onCancel={() => setOpen(false)}
        pending={update.isPending}
        error={update.error}
      >
        {isDr ? (
          <Field label="DR operation token" required>
            {(c) => (
              <input {...c} type="password" autoComplete="off" value={operationToken} onChange={(e) => onOperationToken(e.target.value)} className={`${INPUT_CLASS} font-mono`} />
            )}
          </Field>
        ) : null}
        <SecondaryTokenFields values={values} onChange={setValues} needsAddr={needsAddr} />
      </ConfirmDialog>
    </ActionBlock>
  );
}
