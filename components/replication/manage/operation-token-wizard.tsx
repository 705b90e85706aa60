'use client';
// "Generate operation token" on a DR secondary (§2.4, §7.5): start an attempt
// (the server returns the OTP once, and a nonce), enter root key portions one
// at a time (progress N/M), then decode the encoded token with the OTP in the
// browser and hand it to the Promote / Update primary / Disable forms.
// These keys are the PRIMARY's unseal keys, adopted when this cluster became
// its secondary.
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { cancelOperationToken, startOperationToken, submitKeyShare } from '@/lib/api/replication-dr-token';
import { decodeOperationToken } from '@/lib/api/replication-token';
import type { OperationTokenStatus } from '@/lib/types/replication';
import { ApiErrorAlert } from '../api-error-alert';
import { Dialog, DialogFooter } from '../dialog';
import { Field } from '../field';
import { INPUT_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from '../form-styles';
import { ActionBlock } from './action-block';

interface Attempt {
  otp: string;
  status: OperationTokenStatus;
}

/**
 * `addr`: the DR secondary to ask when it is not this console's own cluster
 * (the drill screen plans a promotion of another cluster); `description`
 * and `placedIn` replace the block's texts there.
 */
export function OperationTokenWizard({
  onToken,
  addr,
  description,
  placedIn = 'Placed in the DR Operation Token field of Promote, Update primary and Disable Replication.',
}: {
  onToken: (token: string) => void;
  addr?: string;
  description?: string;
  placedIn?: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [key, setKey] = useState('');
  const [decoded, setDecoded] = useState<{ token: string } | { error: string } | null>(null);

  const start = useMutation({
    mutationFn: async (reset: boolean) => {
      if (reset) await cancelOperationToken(addr);
      return startOperationToken(addr);
    },
    onSuccess: (s) => setAttempt({ otp: s.otp, status: s }),
  });
  const submit = useMutation({
    mutationFn: () => submitKeyShare(key, attempt!.status.nonce, addr),
    onSuccess: (s) => {
      setKey('');
      setAttempt((a) => (a ? { ...a, status: s } : a));
      if (s.complete) {
        try {
          const token = decodeOperationToken(s.encoded_token, attempt!.otp);
          setDecoded({ token });
          onToken(token);
        } catch (err) {
          setDecoded({ error: (err as Error).message });
        }
      }
    },
  });
  const cancel = useMutation({ mutationFn: () => cancelOperationToken(addr) });

  function reset() {
    setOpen(false);
    setAttempt(null);
    setKey('');
    setDecoded(null);
    start.reset();
    submit.reset();
  }

  async function cancelAndClose() {
    // An attempt left open would block the next one ("already in progress").
    if (attempt && !attempt.status.complete) await cancel.mutateAsync().catch(() => {});
    reset();
  }

  function onSubmitKey(e: FormEvent) {
    e.preventDefault();
    if (key.trim() && !submit.isPending) submit.mutate();
  }

  const status = attempt?.status;
  const complete = !!status?.complete;
  const alreadyInProgress = start.error instanceof Error && /in progress/i.test(start.error.message);

  return (
    <ActionBlock
      title="Generate operation token"
      description={
        description ??
        "A DR operation token is needed to promote this cluster, update its primary or disable replication. Generating one takes a quorum of the primary's unseal key portions."
      }
      buttonLabel="Generate operation token"
      onOpen={() => setOpen(true)}
    >
      <Dialog open={open} title="Generate operation token" onDismiss={complete ? reset : () => void cancelAndClose()} size="lg">
        {!attempt ? (
          <>
            <p className="text-sm text-gray-700">
              Start an attempt to get a one-time password (OTP) and a nonce. Then the holders of the primary cluster&apos;s unseal keys enter their
              root key portions one at a time. The result is decoded in this browser with the OTP.
            </p>
            <ApiErrorAlert error={start.error} />
            <DialogFooter>
              <button type="button" className={SECONDARY_BUTTON} onClick={reset}>
                Cancel
              </button>
              {alreadyInProgress ? (
                <button type="button" className={PRIMARY_BUTTON} disabled={start.isPending} onClick={() => start.mutate(true)}>
                  Discard it and start over
                </button>
              ) : (
                <button type="button" className={PRIMARY_BUTTON} disabled={start.isPending} aria-busy={start.isPending} onClick={() => start.mutate(false)}>
                  Start
                </button>
              )}
            </DialogFooter>
          </>
        ) : (
          <>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
              <dt className="font-semibold text-gray-800">One time password (OTP)</dt>
              <dd className="break-all font-mono" data-testid="otp">
                {attempt.otp}
              </dd>
              <dt className="font-semibold text-gray-800">Nonce</dt>
              <dd className="break-all font-mono" data-testid="nonce">
                {status!.nonce}
              </dd>
            </dl>
            <p role="status" className="mt-4 text-sm font-semibold text-gray-900" data-testid="key-progress">
              Progress: <span className="tabular-nums">{status!.progress}/{status!.required}</span>
              {complete ? ' — complete' : ''}
            </p>
            {!complete ? (
              <form onSubmit={onSubmitKey} noValidate className="mt-4 space-y-4">
                <Field label="Root key portion" help="One unseal key portion of the primary cluster (hex or base64). Each holder enters their own.">
                  {(c) => <input {...c} type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} className={`${INPUT_CLASS} font-mono`} />}
                </Field>
                <ApiErrorAlert error={submit.error} />
                <DialogFooter>
                  <button type="button" className={SECONDARY_BUTTON} onClick={() => void cancelAndClose()} disabled={cancel.isPending}>
                    Cancel
                  </button>
                  <button type="submit" className={PRIMARY_BUTTON} disabled={!key.trim() || submit.isPending} aria-busy={submit.isPending}>
                    Generate token
                  </button>
                </DialogFooter>
              </form>
            ) : (
              <div className="mt-4 space-y-4">
                <div>
                  <label htmlFor={`${id}-encoded`} className="block text-sm font-semibold text-gray-800">
                    Encoded operation token
                  </label>
                  <input id={`${id}-encoded`} readOnly value={status!.encoded_token} className={`${INPUT_CLASS} font-mono text-xs`} />
                </div>
                <div>
                  <p className="text-sm font-semibold text-gray-800">DR operation token command</p>
                  <pre className="mt-1 overflow-x-auto rounded bg-gray-900 p-3 text-xs text-gray-100">
                    {`vault operator generate-root -dr-token -otp="${attempt.otp}" -decode="${status!.encoded_token}"`}
                  </pre>
                </div>
                {decoded && 'token' in decoded ? (
                  <div>
                    <label htmlFor={`${id}-decoded`} className="block text-sm font-semibold text-gray-800">
                      Decoded DR operation token
                    </label>
                    <input id={`${id}-decoded`} readOnly value={decoded.token} className={`${INPUT_CLASS} font-mono text-xs`} />
                    <p className="mt-1 text-xs text-ok">{placedIn}</p>
                  </div>
                ) : decoded ? (
                  <p role="alert" className="text-sm text-red-700">
                    Could not decode the token: {decoded.error}
                  </p>
                ) : null}
                <DialogFooter>
                  <button type="button" className={PRIMARY_BUTTON} onClick={reset}>
                    Clear &amp; Close
                  </button>
                </DialogFooter>
              </div>
            )}
          </>
        )}
      </Dialog>
    </ActionBlock>
  );
}
