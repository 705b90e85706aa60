// The dark bar across the top of every signed-in page. `right` is the Status
// and user menus once the session is known, placeholders before.
import Link from 'next/link';
import type { ReactNode } from 'react';
import { CofferLogo } from '@/components/ui/coffer-logo';

export function AppHeader({ nav, right }: { nav: ReactNode; right: ReactNode }) {
  return (
    <header className="sticky top-0 z-20 border-b border-chrome-line bg-chrome text-white">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
        <Link
          href="/vault/secrets"
          className="flex items-center gap-2 rounded text-chrome outline-none focus-visible:ring-2 focus-visible:ring-brand"
        >
          <CofferLogo />
          <span className="text-base font-semibold tracking-tight text-white">Coffer</span>
        </Link>
        <div className="flex-1">{nav}</div>
        <div className="flex items-center gap-1">{right}</div>
      </div>
    </header>
  );
}
