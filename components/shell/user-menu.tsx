'use client';
// The signed-in user: display name on the header, policies and Sign out inside.
import { MenuAction, MenuButton, MenuSeparator } from '@/components/ui/menu-button';
import { Chevron } from './chevron';
import { HEADER_BUTTON_CLASS } from './header-styles';

export function UserMenu({ displayName, policies, onSignOut }: { displayName: string; policies: string[]; onSignOut: () => void }) {
  return (
    <MenuButton
      menuLabel="User"
      buttonClassName={HEADER_BUTTON_CLASS}
      label={
        <>
          <svg viewBox="0 0 16 16" aria-hidden="true" className="h-4 w-4">
            <circle cx="8" cy="5.5" r="3" fill="currentColor" />
            <path d="M2.5 14c.6-3 2.8-4.5 5.5-4.5s4.9 1.5 5.5 4.5z" fill="currentColor" />
          </svg>
          <span className="sr-only">Signed in as </span>
          <span className="max-w-40 truncate">{displayName}</span>
          <Chevron />
        </>
      }
    >
      <div className="px-4 py-3">
        <p className="text-xs font-semibold uppercase tracking-wide text-gray-500">Signed in as</p>
        <p className="mt-1 truncate text-sm font-semibold text-gray-900">{displayName}</p>
        {policies.length > 0 ? (
          <p className="mt-1 text-xs text-gray-600">
            Policies: <span className="font-mono">{policies.join(', ')}</span>
          </p>
        ) : null}
      </div>
      <MenuSeparator />
      <MenuAction onSelect={onSignOut}>Sign out</MenuAction>
    </MenuButton>
  );
}
