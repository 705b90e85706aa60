// One Manage action (§7.5): title, a line on what it does, the button that
// opens its dialog. The dialog itself is the caller's child.
import type { ReactNode } from 'react';
import { DANGER_BUTTON, SECONDARY_BUTTON } from '../form-styles';

interface ActionBlockProps {
  title: string;
  description: ReactNode;
  buttonLabel: string;
  onOpen: () => void;
  danger?: boolean;
  children?: ReactNode;
}

export function ActionBlock({ title, description, buttonLabel, onOpen, danger, children }: ActionBlockProps) {
  const id = `action-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="flex flex-wrap items-start justify-between gap-4 rounded-lg border border-gray-200 bg-white p-5 shadow-sm">
      <div className="max-w-2xl">
        <h3 id={id} className="text-base font-semibold text-gray-900">
          {title}
        </h3>
        <div className="mt-1 text-sm text-gray-600">{description}</div>
      </div>
      <button type="button" onClick={onOpen} className={danger ? DANGER_BUTTON : SECONDARY_BUTTON}>
        {buttonLabel}
      </button>
      {children}
    </section>
  );
}
