'use client';
// "Copy your token" (§7.6): the activation token, its TTL and expiry, its
// fingerprint, and "Copy & Close". The dialog cannot be dismissed before the
// token is copied — it is shown exactly once.
import { useId, useRef, useState } from 'react';
import { KIND_TITLE } from '@/lib/cluster-states';
import type { GeneratedSecondaryToken } from '@/lib/api/replication-actions';
import { formatExpires } from '@/lib/api/replication-token';
import type { ReplicationKind } from '@/lib/types/replication';
import { Dialog, DialogFooter } from './dialog';
import { INPUT_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from './form-styles';
import { TokenFingerprint } from './token-fingerprint';

/** Clipboard API first; the legacy copy command when it is unavailable (plain-http origins). */
export async function copyText(text: string, fallbackFrom?: HTMLTextAreaElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallbackFrom) return false;
    fallbackFrom.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

interface Props {
  kind: ReplicationKind;
  generated: GeneratedSecondaryToken | null;
  onClosed: () => void;
}

export function CopyTokenDialog({ kind, generated, onClosed }: Props) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [copyFailed, setCopyFailed] = useState(false);

  async function copyAndClose() {
    if (!generated) return;
    if (await copyText(generated.token, area.current)) {
      setCopyFailed(false);
      onClosed();
    } else {
      setCopyFailed(true);
    }
  }

  return (
    <Dialog open={generated !== null} title="Copy your token" size="lg">
      {generated ? (
        <>
          <p className="text-sm text-gray-700">
            This token can be used to enable {KIND_TITLE[kind]} replication or change primaries on the secondary cluster.
          </p>
          <label htmlFor={`${id}-token`} className="mt-4 block text-sm font-semibold text-gray-800">
            Activation token
          </label>
          <textarea
            ref={area}
            id={`${id}-token`}
            readOnly
            rows={5}
            value={generated.token}
            onFocus={(e) => e.currentTarget.select()}
            className={`${INPUT_CLASS} break-all font-mono text-xs`}
          />
          <TokenFingerprint token={generated.token} />
          <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="font-semibold text-gray-800">TTL</dt>
            <dd className="font-mono" data-testid="token-ttl">
              {generated.ttl}s
            </dd>
            <dt className="font-semibold text-gray-800">Expires</dt>
            <dd className="font-mono" data-testid="token-expires">
              {formatExpires(generated.expires)}
            </dd>
          </dl>
          <p className="mt-4 text-xs font-medium text-amber-800">Copy token to dismiss modal. It is shown only once.</p>
          {copyFailed ? (
            <p role="alert" className="mt-2 text-sm text-red-700">
              The browser did not allow copying. Select the token above and copy it by hand, then close.
            </p>
          ) : null}
          <DialogFooter>
            {copyFailed ? (
              <button type="button" onClick={onClosed} className={SECONDARY_BUTTON}>
                I have copied it — close
              </button>
            ) : null}
            <button type="button" onClick={copyAndClose} className={PRIMARY_BUTTON}>
              Copy &amp; Close
            </button>
          </DialogFooter>
        </>
      ) : null}
    </Dialog>
  );
}
