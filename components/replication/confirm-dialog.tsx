'use client';
// Vault's confirmation modal for destructive replication actions: the user
// types the kind's name ("Disaster Recovery" / "Performance") before the
// confirm button does anything. Extra fields (a DR operation token, an id)
// go in `children`; the action's API error is shown in place.
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiErrorAlert } from './api-error-alert';
import { Dialog, DialogFooter } from './dialog';
import { Field } from './field';
import { DANGER_BUTTON, INPUT_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from './form-styles';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What happens, in bullets or a sentence. */
  body: ReactNode;
  /** Text the user must type; none means a plain confirm. */
  confirmText?: string;
  confirmLabel: string;
  /** Default "Cancel"; the drill says what cancelling means ("Abort the drill"). */
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending: boolean;
  error: unknown;
  /** Further conditions for the confirm button (required fields filled). */
  canConfirm?: boolean;
  danger?: boolean;
  children?: ReactNode;
}

export function ConfirmDialog(p: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const matches = !p.confirmText || typed.trim() === p.confirmText;
  const enabled = matches && (p.canConfirm ?? true) && !p.pending;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (enabled) p.onConfirm();
  }

  function cancel() {
    setTyped('');
    p.onCancel();
  }

  return (
    <Dialog open={p.open} title={p.title} onDismiss={p.pending ? undefined : cancel} tone={p.danger ? 'danger' : 'default'}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <div className="text-sm text-gray-700">{p.body}</div>
        {p.children}
        {p.confirmText ? (
          <Field label={`Type "${p.confirmText}" to confirm`}>
            {(c) => (
              <input {...c} type="text" autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} className={INPUT_CLASS} />
            )}
          </Field>
        ) : null}
        <ApiErrorAlert error={p.error} />
        <DialogFooter>
          <button type="button" onClick={cancel} disabled={p.pending} className={SECONDARY_BUTTON}>
            {p.cancelLabel ?? 'Cancel'}
          </button>
          <button type="submit" disabled={!enabled} aria-busy={p.pending} className={p.danger ? DANGER_BUTTON : PRIMARY_BUTTON}>
            {p.confirmLabel}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
