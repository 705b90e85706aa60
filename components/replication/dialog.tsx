'use client';
// A modal dialog on the native <dialog> element: showModal() gives the focus
// trap, the backdrop and Escape. `onDismiss` undefined makes it undismissable
// (Escape does nothing), for screens that must not close before a step is done.
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  open: boolean;
  title: string;
  onDismiss?: () => void;
  children: ReactNode;
  /** Wider dialogs for tokens and wizards. */
  size?: 'md' | 'lg';
  tone?: 'default' | 'danger';
}

export function Dialog({ open, title, onDismiss, children, size = 'md', tone = 'default' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onDismiss?.();
      }}
      className={`m-auto w-[calc(100%-2rem)] ${size === 'lg' ? 'max-w-2xl' : 'max-w-lg'} rounded-lg border-0 bg-white p-0 text-gray-900 shadow-2xl backdrop:bg-gray-900/60`}
    >
      {open ? (
        <div>
          <div className={`border-b px-6 py-4 ${tone === 'danger' ? 'border-red-200 bg-red-50' : 'border-gray-200'}`}>
            <h2 id={titleId} className={`text-lg font-semibold ${tone === 'danger' ? 'text-red-900' : 'text-gray-900'}`}>
              {title}
            </h2>
          </div>
          <div className="px-6 py-5">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}

export function DialogFooter({ children }: { children: ReactNode }) {
  return <div className="mt-6 flex flex-wrap items-center justify-end gap-3 border-t border-gray-100 pt-4">{children}</div>;
}
