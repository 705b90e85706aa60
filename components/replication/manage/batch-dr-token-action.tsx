'use client';
// "Create a batch DR operation token" (DR primary, §2.4): prepared before a
// disaster, so promotion needs no quorum of key holders. Writes the policy
// and token role through the API, then issues a batch token from the role.
import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { DR_BATCH_POLICY, DR_BATCH_ROLE, createBatchDrOperationToken } from '@/lib/api/replication-dr-token';
import { ApiErrorAlert } from '../api-error-alert';
import { copyText } from '../copy-token-dialog';
import { Dialog, DialogFooter } from '../dialog';
import { Field } from '../field';
import { INPUT_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from '../form-styles';
import { ActionBlock } from './action-block';

export const DEFAULT_BATCH_TTL = '8h';

export function BatchDrTokenAction({ token }: { token: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [ttl, setTtl] = useState(DEFAULT_BATCH_TTL);
  const [copied, setCopied] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const create = useMutation({ mutationFn: () => createBatchDrOperationToken(token, ttl) });

  function close() {
    setOpen(false);
    create.reset();
    setCopied(false);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!create.isPending) create.mutate();
  }

  return (
    <ActionBlock
      title="Create a batch DR operation token"
      description={
        <>
          Prepare a token now that can promote a DR secondary or change its primary later, without gathering unseal key holders. It is a
          batch token (role <code className="font-mono">{DR_BATCH_ROLE}</code>, policy <code className="font-mono">{DR_BATCH_POLICY}</code>): it
          works on the secondaries until its TTL runs out and cannot be revoked.
        </>
      }
      buttonLabel="Create token"
      onOpen={() => setOpen(true)}
    >
      <Dialog open={open} title="Create a batch DR operation token" onDismiss={close} size="lg">
        {create.data ? (
          <>
            <label htmlFor={`${id}-out`} className="block text-sm font-semibold text-gray-800">
              Batch DR operation token
            </label>
            <textarea ref={area} id={`${id}-out`} readOnly rows={3} value={create.data} onFocus={(e) => e.currentTarget.select()} className={`${INPUT_CLASS} break-all font-mono text-xs`} />
            <p className="mt-2 text-xs text-gray-600">Store it where the people who run a failover can reach it. It is shown only once.</p>
            <DialogFooter>
              <span role="status" className="mr-auto text-sm text-ok">
                {copied ? 'Copied' : ''}
              </span>
              <button type="button" className={SECONDARY_BUTTON} onClick={async () => setCopied(await copyText(create.data, area.current))}>
                Copy token
              </button>
              <button type="button" className={PRIMARY_BUTTON} onClick={close}>
                Close
              </button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={submit} noValidate className="space-y-4">
            <p className="text-sm text-gray-700">
              This writes the policy <code className="font-mono">{DR_BATCH_POLICY}</code> (update on{' '}
              <code className="font-mono">sys/replication/dr/secondary/promote</code> and <code className="font-mono">…/update-primary</code>), the
              token role <code className="font-mono">{DR_BATCH_ROLE}</code> (batch, orphan, not renewable), then creates a token from it. All of
              it replicates to the DR secondaries.
            </p>
            <Field label="TTL" help="How long the token stays valid, e.g. 8h or 720h.">
              {(c) => <input {...c} type="text" value={ttl} onChange={(e) => setTtl(e.target.value)} className={`${INPUT_CLASS} font-mono`} />}
            </Field>
            <ApiErrorAlert error={create.error} />
            <DialogFooter>
              <button type="button" className={SECONDARY_BUTTON} onClick={close}>
                Cancel
              </button>
              <button type="submit" className={PRIMARY_BUTTON} disabled={create.isPending} aria-busy={create.isPending}>
                Create token
              </button>
            </DialogFooter>
          </form>
        )}
      </Dialog>
    </ActionBlock>
  );
}
