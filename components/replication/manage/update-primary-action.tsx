'use client';
// "Update primary" (§2.3): point this secondary at a (new) primary without
// wiping its data, by either of Vault's routes: a fresh activation token, or
// `update_primary_addrs` (the primary's cluster addresses, no token). Re-pointing
// by address takes a second, explicit confirmation: the secondary stops
// streaming from its current primary the moment one of the addresses accepts it.
import { useState } from 'react';
import { updatePrimary, updatePrimaryByAddrs, type ActionWarnings } from '@/lib/api/replication-actions';
import { tokenNeedsPrimaryAddr } from '@/lib/api/replication-token';
import { parseClusterAddrs } from '@/lib/cluster-addrs';
import type { ReplicationKind } from '@/lib/types/replication';
import { ConfirmDialog } from '../confirm-dialog';
import { Field } from '../field';
import { INPUT_CLASS, SECONDARY_BUTTON } from '../form-styles';
import { PrimaryAddrsField } from '../primary-addrs-field';
import { SecondaryTokenFields, type SecondaryTokenValues } from '../secondary-token-fields';
import { ActionBlock } from './action-block';
import { UpdatePrimaryRouteChoice, type UpdatePrimaryRoute } from './update-primary-route';
import { useReplicationMutation } from './use-replication-mutation';

interface Props {
  kind: ReplicationKind;
  token: string | null;
  operationToken: string;
  onOperationToken: (t: string) => void;
  /** The cluster address this secondary follows now, for the confirmation. */
  currentPrimary?: string;
}

const EMPTY: SecondaryTokenValues = { token: '', primary_api_addr: '', ca_file: '', ca_path: '' };

export function UpdatePrimaryAction({ kind, token, operationToken, onOperationToken, currentPrimary }: Props) {
  const [open, setOpen] = useState(false);
  const [route, setRoute] = useState<UpdatePrimaryRoute>('token');
  const [values, setValues] = useState<SecondaryTokenValues>(EMPTY);
  const [addrsText, setAddrsText] = useState('');
  const [confirming, setConfirming] = useState(false);
  const isDr = kind === 'dr';
  const drToken = isDr ? operationToken : undefined;
  const parsed = parseClusterAddrs(addrsText);
  const update = useReplicationMutation(
    (): Promise<ActionWarnings | undefined> =>
      route === 'addrs'
        ? updatePrimaryByAddrs(kind, token, { update_primary_addrs: parsed.addrs, dr_operation_token: drToken })
        : (updatePrimary(kind, token, { ...values, dr_operation_token: drToken }) as Promise<ActionWarnings | undefined>),
    { onDone: () => (setOpen(false), setConfirming(false), setValues(EMPTY), setAddrsText('')) },
  );
  const opTokenOk = !isDr || operationToken.trim() !== '';
  const needsAddr = tokenNeedsPrimaryAddr(values.token);
  const ready =
    opTokenOk &&
    (route === 'addrs'
      ? parsed.addrs.length > 0 && parsed.errors.length === 0
      : values.token.trim() !== '' && (!needsAddr || values.primary_api_addr.trim() !== ''));
  const byAddrs = route === 'addrs';
  const done = update.isSuccess ? ((update.data as ActionWarnings | undefined)?.warnings ?? []).join(' ') || 'The primary was updated.' : '';

  return (
    <ActionBlock
      title="Update primary"
      description="Point this secondary at a different primary, with a new activation token or the primary's cluster addresses. Its data is kept, not wiped."
      buttonLabel="Update"
      onOpen={() => (update.reset(), setConfirming(false), setOpen(true))}
    >
      {done ? (
        <p role="status" data-testid="update-primary-done" className="w-full rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-900">
          {done}
        </p>
      ) : null}
      <ConfirmDialog
        open={open}
        title={confirming ? 'Re-point this secondary?' : 'Update primary'}
        danger={confirming}
        body={
          confirming ? (
            <RepointSummary addrs={parsed.addrs} currentPrimary={currentPrimary} />
          ) : (
            <p>Changing the primary does not wipe this cluster&apos;s data.</p>
          )
        }
        confirmLabel={confirming ? (update.isPending ? 'Re-pointing…' : 'Re-point secondary') : byAddrs ? 'Continue' : 'Update'}
        canConfirm={ready}
        onConfirm={() => (byAddrs && !confirming ? (update.reset(), setConfirming(true)) : update.mutate(undefined))}
        onCancel={() => (setOpen(false), setConfirming(false))}
        pending={update.isPending}
        error={update.error}
      >
        {confirming ? (
          <button type="button" onClick={() => (update.reset(), setConfirming(false))} disabled={update.isPending} className={SECONDARY_BUTTON}>
            Back
          </button>
        ) : (
          <>
            {isDr ? (
              <Field label="DR operation token" required>
                {(c) => (
                  <input {...c} type="password" autoComplete="off" value={operationToken} onChange={(e) => onOperationToken(e.target.value)} className={`${INPUT_CLASS} font-mono`} />
                )}
              </Field>
            ) : null}
            <UpdatePrimaryRouteChoice value={route} onChange={(r) => (update.reset(), setRoute(r))} />
            {byAddrs ? <PrimaryAddrsField value={addrsText} onChange={setAddrsText} /> : <SecondaryTokenFields values={values} onChange={setValues} needsAddr={needsAddr} />}
          </>
        )}
      </ConfirmDialog>
    </ActionBlock>
  );
}

function RepointSummary({ addrs, currentPrimary }: { addrs: string[]; currentPrimary?: string }) {
  return (
    <div className="space-y-2">
      <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
        This secondary stops following {currentPrimary ? <span className="font-mono">{currentPrimary}</span> : 'its current primary'} and follows the first of
        these addresses whose primary accepts it. Its data is kept; if no address accepts it, nothing changes.
      </p>
      <ol aria-label="Addresses to try, in order" className="list-decimal pl-6 font-mono text-xs text-gray-900">
        {addrs.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ol>
    </div>
  );
}
